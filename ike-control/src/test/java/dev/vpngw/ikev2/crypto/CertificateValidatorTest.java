package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** PKIX validation and ID matching (RFC 7296 3.5-3.7, RFC 4945 3.1) on certificates made here. */
class CertificateValidatorTest {
  static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2027-01-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  /** A root CA, an intermediate CA and a gateway certificate issued by the intermediate. */
  record Pki(X509Certificate ca, X509Certificate intermediate, X509Certificate endEntity) {
    static Pki create() throws Exception {
      KeyPair root = ecKey();
      KeyPair middle = ecKey();
      KeyPair leaf = ecKey();
      X509Certificate ca =
          issue(
              "CN=Test Root CA, O=vpngw",
              root.getPublic(),
              "CN=Test Root CA, O=vpngw",
              root.getPrivate(),
              true,
              null);
      X509Certificate intermediate =
          issue(
              "CN=Test Gateway CA, O=vpngw",
              middle.getPublic(),
              "CN=Test Root CA, O=vpngw",
              root.getPrivate(),
              true,
              null);
      GeneralNames sans =
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "192.0.2.1"),
                new GeneralName(GeneralName.iPAddress, "2001:db8::1"),
                new GeneralName(GeneralName.dNSName, "gw-a.example.com"),
                new GeneralName(GeneralName.rfc822Name, "admin@Example.COM"),
              });
      X509Certificate endEntity =
          issue(
              "CN=gw-a, O=vpngw, C=CH",
              leaf.getPublic(),
              "CN=Test Gateway CA, O=vpngw",
              middle.getPrivate(),
              false,
              sans);
      return new Pki(ca, intermediate, endEntity);
    }
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static long serial = 1;

  private static X509Certificate issue(
      String subject,
      PublicKey subjectKey,
      String issuer,
      PrivateKey issuerKey,
      boolean ca,
      GeneralNames sans)
      throws Exception {
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(serial++),
            Date.from(NOT_BEFORE),
            Date.from(NOT_AFTER),
            new X500Name(subject),
            subjectKey);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    builder.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
    if (sans != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    X509CertificateHolder holder =
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  static String pem(X509Certificate cert) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  @Test
  void validatesAChainUpToTheTrustedRoot() throws Exception {
    Pki pki = Pki.create();
    CertificateValidator validator = new CertificateValidator(List.of(pki.ca()));
    assertSame(
        pki.endEntity(), validator.validate(List.of(pki.endEntity(), pki.intermediate()), NOW));
    // Peers often send the root too; it is dropped, not validated against itself.
    assertSame(
        pki.endEntity(),
        validator.validate(List.of(pki.endEntity(), pki.intermediate(), pki.ca()), NOW));
    assertEquals(List.of(pki.ca()), validator.trustedCas());
  }

  @Test
  void refusesExpiredAndNotYetValidCertificates() throws Exception {
    Pki pki = Pki.create();
    CertificateValidator validator = new CertificateValidator(List.of(pki.ca()));
    List<X509Certificate> chain = List.of(pki.endEntity(), pki.intermediate());
    assertThrows(
        CertificateException.class,
        () -> validator.validate(chain, NOT_AFTER.plus(Duration.ofDays(1))));
    assertThrows(
        CertificateException.class,
        () -> validator.validate(chain, NOT_BEFORE.minus(Duration.ofDays(1))));
  }

  @Test
  void refusesAChainFromAnotherCa() throws Exception {
    Pki ours = Pki.create();
    Pki theirs = Pki.create();
    CertificateValidator validator = new CertificateValidator(List.of(ours.ca()));
    assertThrows(
        CertificateException.class,
        () -> validator.validate(List.of(theirs.endEntity(), theirs.intermediate()), NOW));
    // Missing intermediate: no path to the root.
    assertThrows(
        CertificateException.class, () -> validator.validate(List.of(ours.endEntity()), NOW));
    assertThrows(CertificateException.class, () -> validator.validate(List.of(), NOW));
    assertThrows(IllegalArgumentException.class, () -> new CertificateValidator(List.of()));
  }

  @Test
  void ipIdentitiesMatchIpAddressSubjectAltNames() throws Exception {
    X509Certificate cert = Pki.create().endEntity();
    byte[] v4 = InetAddress.getByName("192.0.2.1").getAddress();
    byte[] v6 = InetAddress.getByName("2001:db8::1").getAddress();
    assertTrue(CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_IPV4_ADDR, v4));
    assertTrue(CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_IPV6_ADDR, v6));
    assertFalse(
        CertificateValidator.matchesIdentity(
            cert,
            CertificateValidator.ID_IPV4_ADDR,
            InetAddress.getByName("192.0.2.2").getAddress()));
    // An IPv6 value under the IPv4 type (and the other way round) is no match.
    assertFalse(CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_IPV4_ADDR, v6));
    assertFalse(CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_IPV6_ADDR, v4));
  }

  @Test
  void fqdnAndEmailIdentitiesMatchTheirSubjectAltNames() throws Exception {
    X509Certificate cert = Pki.create().endEntity();
    assertTrue(match(cert, CertificateValidator.ID_FQDN, "gw-a.example.com"));
    assertTrue(match(cert, CertificateValidator.ID_FQDN, "GW-A.Example.com"));
    assertFalse(match(cert, CertificateValidator.ID_FQDN, "gw-b.example.com"));
    assertFalse(match(cert, CertificateValidator.ID_FQDN, "admin@Example.COM"));
    assertTrue(match(cert, CertificateValidator.ID_RFC822_ADDR, "admin@example.com"));
    assertFalse(match(cert, CertificateValidator.ID_RFC822_ADDR, "Admin@example.com"));
    assertFalse(match(cert, CertificateValidator.ID_RFC822_ADDR, "gw-a.example.com"));
    // The common name is not an FQDN identity (RFC 4945 3.1.2: subjectAltName only).
    assertFalse(match(cert, CertificateValidator.ID_FQDN, "gw-a"));
  }

  @Test
  void dnIdentityMatchesTheSubjectAsAnX500Name() throws Exception {
    X509Certificate cert = Pki.create().endEntity();
    byte[] own = CertificateValidator.subjectDnDer(cert);
    assertArrayEquals(cert.getSubjectX500Principal().getEncoded(), own);
    assertTrue(
        CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_DER_ASN1_DN, own));
    // The same name spelled with other case and spacing (and UTF8String values re-encoded as
    // PrintableString by the JDK) is the same DN.
    String rfc2253 = cert.getSubjectX500Principal().getName();
    byte[] respelled =
        new X500Principal(rfc2253.toUpperCase(java.util.Locale.ROOT).replace(",", " ,  "))
            .getEncoded();
    assertFalse(java.util.Arrays.equals(own, respelled), "precondition: other bytes");
    assertTrue(
        CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_DER_ASN1_DN, respelled));
    byte[] other = new X500Principal("CN=gw-b, O=vpngw, C=CH").getEncoded();
    assertFalse(
        CertificateValidator.matchesIdentity(cert, CertificateValidator.ID_DER_ASN1_DN, other));
    assertFalse(
        CertificateValidator.matchesIdentity(
            cert, CertificateValidator.ID_DER_ASN1_DN, new byte[] {0x30, 0x05, 1}));
    assertFalse(CertificateValidator.matchesIdentity(cert, 11, own), "ID_KEY_ID never matches");
  }

  @Test
  void certReqAuthorityIsSha1OfTheSubjectPublicKeyInfo() throws Exception {
    X509Certificate ca = Pki.create().ca();
    byte[] spki = new X509CertificateHolder(ca.getEncoded()).getSubjectPublicKeyInfo().getEncoded();
    byte[] expected = MessageDigest.getInstance("SHA-1").digest(spki);
    assertArrayEquals(expected, CertificateValidator.certReqAuthority(ca));
    assertEquals(20, expected.length);
  }

  private static boolean match(X509Certificate cert, int type, String id) {
    return CertificateValidator.matchesIdentity(cert, type, id.getBytes(StandardCharsets.US_ASCII));
  }
}
