package dev.vpngw.crypto;

import static dev.vpngw.crypto.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.kat.KnownAnswers;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every published vector in {@link KnownAnswers}, one test case per engine and vector, run against
 * the primitives of every available engine: the same keyed contexts and calls their {@link
 * EspCipher}s use. Vectors whose shape an ESP packet cannot take (a 20-byte AAD, an empty AAD, a
 * 131-byte HMAC key) can only be checked this way; {@link EspKnownAnswerTest} covers what an ESP
 * packet can carry. The appliance's power-on self-test runs the same vectors; this test holds the
 * engines to them with JUnit's diagnostics.
 */
class KnownAnswerTest {
  static Stream<CryptoPrimitives> engines() {
    return CryptoEngines.available().stream()
        .filter(CryptoPrimitives.class::isInstance)
        .map(CryptoPrimitives.class::cast);
  }

  static Stream<Arguments> aeadVectors() {
    return engineTimes(KnownAnswers.AEAD);
  }

  static Stream<Arguments> cbcVectors() {
    return engineTimes(KnownAnswers.CBC);
  }

  static Stream<Arguments> hmacVectors() {
    return engineTimes(KnownAnswers.HMAC);
  }

  /**
   * Seal gives the published ciphertext and tag; open restores the plaintext; a forged first or
   * last byte, or an altered AAD, is refused (null), never decrypted.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("aeadVectors")
  void aead(CryptoPrimitives engine, KnownAnswers.Aead v) {
    Encryption aead = v.encryption();
    byte[] sealed = engine.aeadSeal(aead, v.key(), v.nonce(), v.aad(), v.plaintext());
    assertEquals(hex(v.ciphertext()) + hex(v.tag()), hex(sealed), v.source());
    byte[] opened = engine.aeadOpen(aead, v.key(), v.nonce(), v.aad(), sealed);
    assertArrayEquals(v.plaintext(), opened, v.source());
    for (int i : new int[] {0, sealed.length - 1}) {
      byte[] forged = sealed.clone();
      forged[i] ^= 0x40;
      assertNull(
          engine.aeadOpen(aead, v.key(), v.nonce(), v.aad(), forged), v.source() + " byte " + i);
    }
    if (v.aad().length > 0) {
      byte[] otherAad = v.aad();
      otherAad[0] ^= 1;
      assertNull(engine.aeadOpen(aead, v.key(), v.nonce(), otherAad, sealed), v.source());
    }
  }

  /** Encrypt gives the published ciphertext; decrypt gives the plaintext back. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cbcVectors")
  void cbc(CryptoPrimitives engine, KnownAnswers.Cbc v) {
    assertEquals(
        hex(v.ciphertext()),
        hex(engine.cbcEncrypt(v.encryption(), v.key(), v.iv(), v.plaintext())),
        v.source());
    assertTrue(
        Arrays.equals(
            v.plaintext(), engine.cbcDecrypt(v.encryption(), v.key(), v.iv(), v.ciphertext())),
        v.source());
  }

  /**
   * The full HMAC matches; and the ICV ESP sends is its first {@link Integrity#icvLength()} bytes
   * (RFC 2404 2, RFC 4868 2.6), as RFC 4868 2.7.2.1 prints alongside.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("hmacVectors")
  void hmac(CryptoPrimitives engine, KnownAnswers.Hmac v) {
    byte[] mac = engine.hmac(v.integrity(), v.key(), v.data());
    assertEquals(hex(v.mac()), hex(mac), v.source());
    int icvLength = v.integrity().icvLength();
    assertEquals(
        hex(v.mac()).substring(0, 2 * icvLength), hex(Arrays.copyOf(mac, icvLength)), v.source());
  }

  /** Sources name the test cases and the self-test's FAILED lines, so each must be unique. */
  @Test
  void everyVectorHasItsOwnSource() {
    Set<String> seen = new HashSet<>();
    for (KnownAnswers.Vector v : KnownAnswers.all()) {
      assertTrue(seen.add(v.source()), "duplicate source " + v.source());
    }
    assertEquals(
        KnownAnswers.AEAD.size() + KnownAnswers.CBC.size() + KnownAnswers.HMAC.size(), seen.size());
  }

  private static Stream<Arguments> engineTimes(List<?> vectors) {
    return engines().flatMap(engine -> vectors.stream().map(v -> Arguments.of(engine, v)));
  }
}
