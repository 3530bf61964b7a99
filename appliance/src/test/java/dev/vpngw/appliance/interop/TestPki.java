package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away certificate authority for the interop tests: a self-signed CA, intermediate CAs it
 * signs, and end-entity certificates (RSA 2048 or 4096, ECDSA P-256 or P-384 keys; subject DN and
 * subjectAltNames of type IP, DNS and email chosen by the caller), built with Bouncy Castle and
 * written as PEM into a swanctl directory in the layout strongSwan 5.9's {@code swanctl --load-all}
 * reads: trust anchors in {@code x509ca/}, own certificates in {@code x509/} and unencrypted PKCS#8
 * private keys in {@code private/} (that folder takes keys of any type; {@code rsa/} and {@code
 * ecdsa/} are for the legacy PKCS#1 and SEC1 encodings), or as plain PEM files for our gateway's
 * {@code certificate} block. Certificates are valid from a day ago, so a clock a little behind does
 * not matter, for 30 days.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** The key of a CA or end entity. */
  public enum KeyType {
    RSA_2048("SHA256withRSA"),
    /** Big enough that a certificate chain no longer fits one IKE datagram (RFC 7383 tests). */
    RSA_4096("SHA256withRSA"),
    ECDSA_P256("SHA256withECDSA"),
    ECDSA_P384("SHA384withECDSA");

    /** The signature algorithm a CA of this key type signs with. */
    final String signatureAlgorithm;

    KeyType(String signatureAlgorithm) {
      this.signatureAlgorithm = signatureAlgorithm;
    }

    KeyPair generate() {
      try {
        if (this == RSA_2048 || this == RSA_4096) {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(this == RSA_2048 ? 2048 : 4096);
          return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(this == ECDSA_P256 ? "secp256r1" : "secp384r1"));
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK cannot generate " + this, e);
      }
    }
  }

  /** A subjectAltName entry. */
  public record San(int tag, String value) {
    /** An IPv4 or IPv6 address. */
    public static San ip(String address) {
      return new San(GeneralName.iPAddress, address);
    }

    /** A DNS name (strongSwan's FQDN identity). */
    public static San dns(String name) {
      return new San(GeneralName.dNSName, name);
    }

    /** An email address (strongSwan's RFC822 identity). */
    public static San email(String address) {
      return new San(GeneralName.rfc822Name, address);
    }
  }

  /**
   * A certificate and its private key, stored under {@code name}.pem.
   *
   * @param name the file name without {@code .pem}
   */
  public record Credential(String name, X509Certificate certificate, PrivateKey privateKey) {
    /** The certificate's file name, as swanctl.conf's {@code certs} or {@code cacerts} names it. */
    public String fileName() {
      return name + ".pem";
    }
  }

  private final Credential ca;
  private final KeyType caKeyType;

  private TestPki(Credential ca, KeyType caKeyType) {
    this.ca = ca;
    this.caKeyType = caKeyType;
  }

  /**
   * A new self-signed CA with subject {@code subjectDn} (like {@code C=CH, O=Test, CN=Test CA}).
   */
  public static TestPki create(String name, String subjectDn, KeyType keyType) {
    KeyPair keys = keyType.generate();
    X500Name subject = new X500Name(subjectDn);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate cert = sign(b, keys.getPrivate(), keyType);
      return new TestPki(new Credential(name, cert, keys.getPrivate()), keyType);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build CA " + subjectDn, e);
    }
  }

  /** The CA's certificate and key. */
  public Credential ca() {
    return ca;
  }

  /**
   * A CA whose certificate this CA issues (an intermediate), with a new key of {@code keyType}; its
   * {@link #issue} makes end-entity certificates that chain through it to this CA.
   */
  public TestPki intermediate(String name, String subjectDn, KeyType keyType) {
    KeyPair keys = keyType.generate();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(
              X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
              new X500Name(subjectDn),
              keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(ca.certificate()));
      X509Certificate cert = sign(b, ca.privateKey(), caKeyType);
      return new TestPki(new Credential(name, cert, keys.getPrivate()), keyType);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue intermediate CA " + subjectDn, e);
    }
  }

  /** Issues an end-entity certificate for a new key of {@code keyType}. */
  public Credential issue(String name, String subjectDn, KeyType keyType, List<San> sans) {
    KeyPair keys = keyType.generate();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(
              X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
              new X500Name(subjectDn),
              keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(ca.certificate()));
      if (!sans.isEmpty()) {
        GeneralName[] names =
            sans.stream().map(s -> new GeneralName(s.tag(), s.value())).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      X509Certificate cert = sign(b, ca.privateKey(), caKeyType);
      return new Credential(name, cert, keys.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue " + subjectDn, e);
    }
  }

  /** Writes the CA certificate into {@code swanctlDir/x509ca/} as a trust anchor. */
  public void writeCa(Path swanctlDir) {
    write(
        swanctlDir.resolve("x509ca").resolve(ca.fileName()), pem("CERTIFICATE", ca.certificate()));
  }

  /**
   * Writes {@code credential}'s certificate into {@code swanctlDir/x509/} and its key, PKCS#8, into
   * {@code swanctlDir/private/}.
   */
  public static void writeCredential(Path swanctlDir, Credential credential) {
    write(
        swanctlDir.resolve("x509").resolve(credential.fileName()),
        pem("CERTIFICATE", credential.certificate()));
    write(
        swanctlDir.resolve("private").resolve(credential.fileName()),
        pem("PRIVATE KEY", credential.privateKey()));
  }

  /**
   * Writes the certificates of {@code chain}, in that order, into one PEM file: our gateway's
   * {@code certificate.file} (end entity first, then intermediates) or {@code certificate.ca}.
   */
  public static void writeCertificates(Path file, Credential... chain) {
    StringBuilder pem = new StringBuilder();
    for (Credential c : chain) {
      pem.append(pem("CERTIFICATE", c.certificate()));
    }
    write(file, pem.toString());
  }

  /** Writes {@code credential}'s private key, PKCS#8 PEM, into {@code file}. */
  public static void writePrivateKey(Path file, Credential credential) {
    write(file, pem("PRIVATE KEY", credential.privateKey()));
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(30))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey issuerKey, KeyType issuerType)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(issuerType.signatureAlgorithm).build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String pem(String type, Object value) {
    try {
      byte[] der =
          value instanceof X509Certificate c ? c.getEncoded() : ((PrivateKey) value).getEncoded();
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(new PemObject(type, der));
      }
      return out.toString();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot encode " + type, e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
