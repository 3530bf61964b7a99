package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM key and certificate loading in the formats OpenSSL and swanctl use. */
class KeyFilesTest {
  @TempDir Path dir;

  @Test
  void readsPkcs1AndPkcs8RsaKeysAsTheSameKey() throws Exception {
    PrivateKey pkcs1 =
        KeyFiles.readPrivateKey(OpensslFixtures.write(dir, "a.pem", OpensslFixtures.RSA_PKCS1));
    PrivateKey pkcs8 =
        KeyFiles.readPrivateKey(OpensslFixtures.write(dir, "b.pem", OpensslFixtures.RSA_PKCS8));
    RSAPrivateCrtKey rsa = assertInstanceOf(RSAPrivateCrtKey.class, pkcs1);
    assertEquals(rsa.getModulus(), ((RSAPrivateCrtKey) pkcs8).getModulus());
    assertEquals(rsa.getPrivateExponent(), ((RSAPrivateCrtKey) pkcs8).getPrivateExponent());
    RSAPublicKey pub = (RSAPublicKey) OpensslFixtures.publicKey(OpensslFixtures.RSA_PUBLIC);
    assertEquals(pub.getModulus(), rsa.getModulus());
  }

  @Test
  void readsSec1AndPkcs8EcKeys() throws Exception {
    ECPrivateKey p256 =
        assertInstanceOf(
            ECPrivateKey.class,
            KeyFiles.readPrivateKey(
                OpensslFixtures.write(dir, "c.pem", OpensslFixtures.EC256_SEC1)));
    assertEquals(256, SignatureAuth.nistCurveBits(p256));
    ECPrivateKey p384 =
        assertInstanceOf(
            ECPrivateKey.class,
            KeyFiles.readPrivateKey(
                OpensslFixtures.write(dir, "d.pem", OpensslFixtures.EC384_PKCS8)));
    assertEquals(384, SignatureAuth.nistCurveBits(p384));
  }

  @Test
  void skipsEcParametersBeforeTheKey() throws Exception {
    String withParams =
        """
        -----BEGIN EC PARAMETERS-----
        BggqhkjOPQMBBw==
        -----END EC PARAMETERS-----
        """
            + OpensslFixtures.EC256_SEC1;
    assertInstanceOf(
        ECPrivateKey.class,
        KeyFiles.readPrivateKey(OpensslFixtures.write(dir, "e.pem", withParams)));
  }

  @Test
  void refusesFilesWithoutAKeyAndEncryptedKeys() throws Exception {
    Path publicOnly = OpensslFixtures.write(dir, "f.pem", OpensslFixtures.RSA_PUBLIC);
    IOException none = assertThrows(IOException.class, () -> KeyFiles.readPrivateKey(publicOnly));
    assertTrue(none.getMessage().contains("f.pem"));
    // openssl pkcs8 -topk8 -v2 aes-256-cbc of EC256_SEC1.
    Path encrypted =
        OpensslFixtures.write(
            dir,
            "g.pem",
            """
            -----BEGIN ENCRYPTED PRIVATE KEY-----
            MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAizlzV8GrZvvAICCAAw
            DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEELeUXQiUTvyX+q6SJDGwTAMEgZAl
            hUp1mggkqEL8+zzTEA30HHCj/DKMkxmDhbiAcBYmyPA7M1Hp7+ffk1/Zhzqy6iHC
            ioPgQwPPe5oq3ucH8NHwI62OKpknXCNEQ70RYEraGg6wTiGEcY450fk6Xf8k2PVz
            1aQ0FEL3bs3v75F513HT8faD1e4OAUbkt/egrGCueL7yTqVeH0MfOwnGnUkoiU4=
            -----END ENCRYPTED PRIVATE KEY-----
            """);
    IOException enc = assertThrows(IOException.class, () -> KeyFiles.readPrivateKey(encrypted));
    assertTrue(enc.getMessage().contains("encrypted"));
    Path garbage =
        OpensslFixtures.write(
            dir, "h.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    IOException bad = assertThrows(IOException.class, () -> KeyFiles.readPrivateKey(garbage));
    assertFalse(bad.getMessage().contains("AAAA"), "never quotes the file");
  }

  @Test
  void readsEveryCertificateInOrder() throws Exception {
    CertificateValidatorTest.Pki pki = CertificateValidatorTest.Pki.create();
    String pem =
        CertificateValidatorTest.pem(pki.endEntity()) + CertificateValidatorTest.pem(pki.ca());
    List<X509Certificate> certs =
        KeyFiles.readCertificates(OpensslFixtures.write(dir, "i.pem", pem));
    assertEquals(List.of(pki.endEntity(), pki.ca()), certs);
    Path keyOnly = OpensslFixtures.write(dir, "j.pem", OpensslFixtures.EC256_SEC1);
    assertThrows(IOException.class, () -> KeyFiles.readCertificates(keyOnly));
  }
}
