package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.TestPki.Credential;
import dev.vpngw.appliance.interop.TestPki.KeyType;
import dev.vpngw.appliance.interop.TestPki.San;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test CA issues certificates that chain to it, directly or through an intermediate CA, with
 * the requested key types, subject and subjectAltNames, CA and end-entity constraints, and writes
 * them (and PKCS#8 keys that read back as the same keys) into the swanctl folders;
 * StrongSwanFixtureSystemTest shows charon taking them.
 */
class TestPkiTest {
  @TempDir Path dir;

  @Test
  void issuesCertificatesThatChainToTheCa() throws Exception {
    TestPki pki = TestPki.create("ca", "C=CH, O=Test, CN=Test CA", KeyType.RSA_2048);
    X509Certificate ca = pki.ca().certificate();
    ca.verify(ca.getPublicKey());
    assertEquals(Integer.MAX_VALUE, ca.getBasicConstraints(), "a CA without a path length limit");
    assertTrue(ca.getKeyUsage()[5], "keyCertSign");
    assertEquals(2048, ((RSAPublicKey) ca.getPublicKey()).getModulus().bitLength());

    Credential gw =
        pki.issue(
            "gw",
            "C=CH, O=Test, CN=gw.test",
            KeyType.ECDSA_P384,
            List.of(San.ip("192.0.2.1"), San.dns("gw.test"), San.email("ops@gw.test")));
    X509Certificate cert = gw.certificate();
    cert.verify(ca.getPublicKey());
    assertEquals("SHA256withRSA", cert.getSigAlgName());
    assertEquals(ca.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertEquals("CN=gw.test, O=Test, C=CH", cert.getSubjectX500Principal().getName("RFC1779"));
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    assertTrue(cert.getKeyUsage()[0], "digitalSignature");
    assertEquals(
        384, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    Set<String> sans =
        cert.getSubjectAlternativeNames().stream()
            .map(l -> l.get(0) + ":" + l.get(1))
            .collect(Collectors.toSet());
    assertEquals(Set.of("7:192.0.2.1", "2:gw.test", "1:ops@gw.test"), sans);
  }

  @Test
  void anEcdsaCaSignsWithItsCurvesHash() throws Exception {
    TestPki p256 = TestPki.create("ca", "CN=P-256 CA", KeyType.ECDSA_P256);
    TestPki p384 = TestPki.create("ca", "CN=P-384 CA", KeyType.ECDSA_P384);
    Credential a = p256.issue("a", "CN=a", KeyType.RSA_2048, List.of());
    Credential b = p384.issue("b", "CN=b", KeyType.ECDSA_P256, List.of());
    a.certificate().verify(p256.ca().certificate().getPublicKey());
    b.certificate().verify(p384.ca().certificate().getPublicKey());
    assertEquals("SHA256withECDSA", a.certificate().getSigAlgName());
    assertEquals("SHA384withECDSA", b.certificate().getSigAlgName());
  }

  @Test
  void anIntermediateIssuesCertificatesThatValidateUpToTheRoot() throws Exception {
    TestPki root = TestPki.create("root", "CN=Root CA", KeyType.ECDSA_P256);
    TestPki sub = root.intermediate("sub", "CN=Sub CA", KeyType.ECDSA_P384);
    Credential gw = sub.issue("gw", "CN=gw", KeyType.RSA_4096, List.of(San.dns("gw.test")));
    X509Certificate subCert = sub.ca().certificate();
    assertEquals(0, subCert.getBasicConstraints(), "a CA that may issue only end entities");
    assertEquals(4096, ((RSAPublicKey) gw.certificate().getPublicKey()).getModulus().bitLength());

    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    PKIXParameters params =
        new PKIXParameters(Set.of(new TrustAnchor(root.ca().certificate(), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(x509.generateCertPath(List.of(gw.certificate(), subCert)), params);
    assertThrows(
        CertPathValidatorException.class,
        () ->
            CertPathValidator.getInstance("PKIX")
                .validate(x509.generateCertPath(List.of(gw.certificate())), params),
        "without the intermediate the chain must not validate");

    Path chain = dir.resolve("chain.pem");
    TestPki.writeCertificates(chain, gw, sub.ca());
    try (var in = Files.newInputStream(chain)) {
      assertEquals(List.of(gw.certificate(), subCert), x509.generateCertificates(in));
    }
    TestPki.writePrivateKey(dir.resolve("gw.key"), gw);
    assertTrue(Files.readString(dir.resolve("gw.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
  }

  @Test
  void writesTheSwanctlLayout() throws Exception {
    TestPki pki = TestPki.create("ca", "CN=Test CA", KeyType.ECDSA_P256);
    Credential gw = pki.issue("gw", "CN=gw", KeyType.ECDSA_P256, List.of(San.dns("gw.test")));
    pki.writeCa(dir);
    TestPki.writeCredential(dir, gw);

    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    try (var in = Files.newInputStream(dir.resolve("x509ca/ca.pem"))) {
      assertEquals(pki.ca().certificate(), x509.generateCertificate(in));
    }
    try (var in = Files.newInputStream(dir.resolve("x509/gw.pem"))) {
      assertEquals(gw.certificate(), x509.generateCertificate(in));
    }
    String key = Files.readString(dir.resolve("private/gw.pem"), StandardCharsets.US_ASCII);
    assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----"), key);
    byte[] der =
        Base64.getMimeDecoder()
            .decode(
                key.replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", "")
                    .getBytes(StandardCharsets.US_ASCII));
    assertEquals(
        gw.privateKey(),
        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)));
    assertEquals(
        gw.certificate(),
        x509.generateCertificate(new ByteArrayInputStream(gw.certificate().getEncoded())));
  }
}
