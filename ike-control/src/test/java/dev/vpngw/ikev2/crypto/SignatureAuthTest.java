package dev.vpngw.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signature AUTH methods 1, 9-11 (RFC 7296, RFC 4754) and 14 (RFC 7427). */
class SignatureAuthTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] OCTETS =
      "InitiatorSignedOctets stand-in".getBytes(StandardCharsets.US_ASCII);

  private static KeyPair rsa;
  private static KeyPair p256;
  private static KeyPair p384;
  private static KeyPair p521;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = rsaGen.generateKeyPair();
    p256 = ec("secp256r1");
    p384 = ec("secp384r1");
    p521 = ec("secp521r1");
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  private static void roundTrip(int method, KeyPair pair, SignatureScheme scheme) {
    byte[] auth = SignatureAuth.sign(method, pair.getPrivate(), OCTETS, scheme);
    assertTrue(SignatureAuth.verify(method, pair.getPublic(), OCTETS, auth), method + " " + scheme);
    byte[] changed = OCTETS.clone();
    changed[0] ^= 1;
    assertFalse(SignatureAuth.verify(method, pair.getPublic(), changed, auth));
    byte[] corrupted = auth.clone();
    corrupted[corrupted.length - 1] ^= 1;
    assertFalse(SignatureAuth.verify(method, pair.getPublic(), OCTETS, corrupted));
  }

  @Test
  void classicMethodsRoundTrip() {
    roundTrip(SignatureAuth.RSA_DIGITAL_SIGNATURE, rsa, null);
    roundTrip(SignatureAuth.ECDSA_SHA256_P256, p256, null);
    roundTrip(SignatureAuth.ECDSA_SHA384_P384, p384, null);
    roundTrip(SignatureAuth.ECDSA_SHA512_P521, p521, null);
    // RFC 4754: r || s, each as long as the curve's order.
    assertEquals(64, SignatureAuth.sign(9, p256.getPrivate(), OCTETS, null).length);
    assertEquals(96, SignatureAuth.sign(10, p384.getPrivate(), OCTETS, null).length);
    assertEquals(132, SignatureAuth.sign(11, p521.getPrivate(), OCTETS, null).length);
  }

  @Test
  void digitalSignatureRoundTripsForEverySchemeAndKey() {
    for (SignatureScheme scheme : SignatureScheme.values()) {
      List<KeyPair> pairs =
          scheme.name().contains("RSA") ? List.of(rsa) : List.of(p256, p384, p521);
      for (KeyPair pair : pairs) {
        roundTrip(SignatureAuth.DIGITAL_SIGNATURE, pair, scheme);
      }
    }
    for (KeyPair pair : List.of(rsa, p256, p384, p521)) {
      roundTrip(SignatureAuth.DIGITAL_SIGNATURE, pair, null);
    }
  }

  @Test
  void digitalSignatureChoosesTheAlgorithmFromTheKey() {
    assertEquals(SignatureScheme.SHA256_WITH_RSA, SignatureScheme.forKey(rsa.getPrivate()));
    assertEquals(SignatureScheme.ECDSA_WITH_SHA256, SignatureScheme.forKey(p256.getPrivate()));
    assertEquals(SignatureScheme.ECDSA_WITH_SHA384, SignatureScheme.forKey(p384.getPrivate()));
    assertEquals(SignatureScheme.ECDSA_WITH_SHA512, SignatureScheme.forKey(p521.getPrivate()));
    byte[] auth = SignatureAuth.sign(14, p384.getPrivate(), OCTETS, null);
    byte[] algId = SignatureScheme.ECDSA_WITH_SHA384.algorithmIdentifier();
    assertEquals(algId.length, auth[0]);
    assertArrayEquals(algId, Arrays.copyOfRange(auth, 1, 1 + algId.length));
  }

  @Test
  void algorithmIdentifiersAreTheRfc7427AppendixAEncodings() {
    assertEquals(
        "300d06092a864886f70d01010b0500",
        HEX.formatHex(SignatureScheme.SHA256_WITH_RSA.algorithmIdentifier()));
    assertEquals(
        "300d06092a864886f70d01010c0500",
        HEX.formatHex(SignatureScheme.SHA384_WITH_RSA.algorithmIdentifier()));
    assertEquals(
        "300d06092a864886f70d01010d0500",
        HEX.formatHex(SignatureScheme.SHA512_WITH_RSA.algorithmIdentifier()));
    assertEquals(
        "300a06082a8648ce3d040302",
        HEX.formatHex(SignatureScheme.ECDSA_WITH_SHA256.algorithmIdentifier()));
    assertEquals(
        "300a06082a8648ce3d040303",
        HEX.formatHex(SignatureScheme.ECDSA_WITH_SHA384.algorithmIdentifier()));
    assertEquals(
        "300a06082a8648ce3d040304",
        HEX.formatHex(SignatureScheme.ECDSA_WITH_SHA512.algorithmIdentifier()));
    // id-RSASSA-PSS { [0] sha256 (NULL params), [1] mgf1(sha256), [2] saltLength 32 }: the
    // default trailer field is omitted, as strongSwan builds it.
    assertEquals(
        "3041"
            + "06092a864886f70d01010a"
            + "3034"
            + "a00f300d0609608648016503040201"
            + "0500"
            + "a11c301a06092a864886f70d010108"
            + "300d0609608648016503040201"
            + "0500"
            + "a203020120",
        HEX.formatHex(SignatureScheme.RSASSA_PSS_SHA256.algorithmIdentifier()));
  }

  @Test
  void verifiesSignaturesMadeByTheOpensslCommandLine(@TempDir Path dir) throws Exception {
    byte[] octets = OpensslFixtures.OCTETS.getBytes(StandardCharsets.US_ASCII);
    PublicKey rsaPublic = OpensslFixtures.publicKey(OpensslFixtures.RSA_PUBLIC);
    PublicKey p256Public = OpensslFixtures.publicKey(OpensslFixtures.EC256_PUBLIC);
    PublicKey p384Public = OpensslFixtures.publicKey(OpensslFixtures.EC384_PUBLIC);

    assertTrue(
        SignatureAuth.verify(
            1, rsaPublic, octets, OpensslFixtures.hex(OpensslFixtures.RSA_SHA1_SIG)));
    assertTrue(
        SignatureAuth.verify(
            9, p256Public, octets, OpensslFixtures.hex(OpensslFixtures.EC256_SHA256_RS_SIG)));
    assertTrue(
        SignatureAuth.verify(
            10, p384Public, octets, OpensslFixtures.hex(OpensslFixtures.EC384_SHA384_RS_SIG)));
    assertTrue(
        SignatureAuth.verify(
            14,
            rsaPublic,
            octets,
            digitalSignature(SignatureScheme.SHA256_WITH_RSA, OpensslFixtures.RSA_SHA256_SIG)));
    assertTrue(
        SignatureAuth.verify(
            14,
            rsaPublic,
            octets,
            digitalSignature(
                SignatureScheme.RSASSA_PSS_SHA256, OpensslFixtures.RSA_PSS_SHA256_SIG)));
    assertTrue(
        SignatureAuth.verify(
            14,
            p256Public,
            octets,
            digitalSignature(
                SignatureScheme.ECDSA_WITH_SHA256, OpensslFixtures.EC256_SHA256_DER_SIG)));
    assertTrue(
        SignatureAuth.verify(
            14,
            p384Public,
            octets,
            digitalSignature(
                SignatureScheme.ECDSA_WITH_SHA384, OpensslFixtures.EC384_SHA384_DER_SIG)));

    // The right signature under the wrong algorithm identifier is refused.
    assertFalse(
        SignatureAuth.verify(
            14,
            rsaPublic,
            octets,
            digitalSignature(SignatureScheme.SHA384_WITH_RSA, OpensslFixtures.RSA_SHA256_SIG)));
    // DER under method 9 and r || s under method 14 are both wrong encodings.
    assertFalse(
        SignatureAuth.verify(
            9, p256Public, octets, OpensslFixtures.hex(OpensslFixtures.EC256_SHA256_DER_SIG)));
    assertFalse(
        SignatureAuth.verify(
            14,
            p256Public,
            octets,
            digitalSignature(
                SignatureScheme.ECDSA_WITH_SHA256, OpensslFixtures.EC256_SHA256_RS_SIG)));

    // Our own signature with the key loaded from the openssl file verifies with openssl's public.
    PrivateKey loaded =
        KeyFiles.readPrivateKey(OpensslFixtures.write(dir, "k.pem", OpensslFixtures.EC256_SEC1));
    assertTrue(
        SignatureAuth.verify(9, p256Public, octets, SignatureAuth.sign(9, loaded, octets, null)));
  }

  private static byte[] digitalSignature(SignatureScheme scheme, String signatureHex) {
    byte[] algId = scheme.algorithmIdentifier();
    byte[] value = OpensslFixtures.hex(signatureHex);
    byte[] out = new byte[1 + algId.length + value.length];
    out[0] = (byte) algId.length;
    System.arraycopy(algId, 0, out, 1, algId.length);
    System.arraycopy(value, 0, out, 1 + algId.length, value.length);
    return out;
  }

  @Test
  void keysMustFitTheMethod() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAuth.sign(9, p384.getPrivate(), OCTETS, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAuth.sign(1, p256.getPrivate(), OCTETS, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAuth.sign(14, rsa.getPrivate(), OCTETS, SignatureScheme.ECDSA_WITH_SHA256));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAuth.sign(9, p256.getPrivate(), OCTETS, SignatureScheme.ECDSA_WITH_SHA256));
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAuth.sign(2, rsa.getPrivate(), OCTETS, null));
    byte[] p256Sig = SignatureAuth.sign(9, p256.getPrivate(), OCTETS, null);
    assertFalse(SignatureAuth.verify(10, p256.getPublic(), OCTETS, p256Sig));
    assertFalse(SignatureAuth.verify(9, rsa.getPublic(), OCTETS, p256Sig));
    byte[] rsaSig = SignatureAuth.sign(14, rsa.getPrivate(), OCTETS, null);
    assertFalse(SignatureAuth.verify(14, p256.getPublic(), OCTETS, rsaSig));
  }

  @Test
  void malformedDigitalSignaturePayloadsAreFalseNotErrors() {
    byte[] good = SignatureAuth.sign(14, p256.getPrivate(), OCTETS, null);
    PublicKey key = p256.getPublic();
    assertFalse(SignatureAuth.verify(14, key, OCTETS, new byte[0]));
    assertFalse(SignatureAuth.verify(14, key, OCTETS, new byte[] {0}));
    assertFalse(SignatureAuth.verify(14, key, OCTETS, Arrays.copyOf(good, 1 + good[0])));
    byte[] badLength = good.clone();
    badLength[0] = (byte) 0xff;
    assertFalse(SignatureAuth.verify(14, key, OCTETS, badLength));
    byte[] badDer = good.clone();
    badDer[1] = 0x04; // OCTET STRING where the AlgorithmIdentifier SEQUENCE belongs
    assertFalse(SignatureAuth.verify(14, key, OCTETS, badDer));
    byte[] sha1Rsa = HEX.parseHex("0f300d06092a864886f70d0101050500");
    assertFalse(SignatureAuth.verify(14, rsa.getPublic(), OCTETS, Arrays.copyOf(sha1Rsa, 100)));
    assertFalse(SignatureAuth.verify(99, key, OCTETS, good));
  }

  @Test
  void methodForPicksRfc7427WhenBothSidesSupportIt() {
    assertEquals(14, SignatureAuth.methodFor(rsa.getPrivate(), true));
    assertEquals(1, SignatureAuth.methodFor(rsa.getPrivate(), false));
    assertEquals(9, SignatureAuth.methodFor(p256.getPrivate(), false));
    assertEquals(10, SignatureAuth.methodFor(p384.getPrivate(), false));
    assertEquals(11, SignatureAuth.methodFor(p521.getPrivate(), false));
  }

  @Test
  void hashAlgorithmsNotify() {
    assertArrayEquals(HEX.parseHex("000200030004"), SignatureAuth.hashAlgorithmsNotifyData());
    assertEquals(
        Set.of(2, 3, 4),
        SignatureAuth.parseHashAlgorithms(SignatureAuth.hashAlgorithmsNotifyData()));
    // strongSwan 5.9 sends sha256 sha384 sha512 identity (5), as in the captured exchange.
    assertEquals(
        List.of(2, 3, 4, 5),
        List.copyOf(SignatureAuth.parseHashAlgorithms(HEX.parseHex("0002000300040005"))));
    assertEquals(Set.of(1), SignatureAuth.parseHashAlgorithms(HEX.parseHex("000100")));
    assertEquals(Set.of(), SignatureAuth.parseHashAlgorithms(new byte[0]));
  }
}
