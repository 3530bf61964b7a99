package dev.vpngw.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** SK payload framing (RFC 7296 3.14): layout, padding, and each way decoding it can fail. */
class SkFramingTest {
  private static final byte[] SK_E = Samples.bytes(32, 11);
  private static final byte[] SK_A = Samples.bytes(32, 12);

  private static SkCipher cipher() {
    return new AesCbcHmacCipher(SK_E, SK_A, 42);
  }

  private static Reason reason(Executable e) {
    return assertThrows(IkeParseException.class, e).reason();
  }

  @Test
  void protectedMessageRoundTrips() throws IkeParseException {
    IkeMessage m = Samples.authRequest();
    byte[] d = m.encodeProtected(cipher());
    assertEquals(m, IkeMessage.decodeProtected(d, 0, d.length, cipher()));
  }

  @Test
  void layoutIsHeaderSkHeaderIvCiphertextIcv() {
    IkeMessage m = Samples.authRequest();
    byte[] d = m.encodeProtected(cipher());
    assertEquals(PayloadType.SK, IkeHeader.nextPayload(d, 0));
    assertEquals(d.length, IkeHeader.length(d, 0));
    assertEquals(PayloadType.IDI, d[28] & 0xFF, "SK next payload is the first inner payload");
    assertEquals(d.length - 28, ((d[30] & 0xFF) << 8) | (d[31] & 0xFF));
    int ciphertext = d.length - 32 - 16 - 16;
    assertEquals(0, ciphertext % 16);
    int inner = PayloadChain.encode(m.payloads()).length;
    assertEquals((inner + 1 + 15) / 16 * 16, ciphertext, "minimal padding");
  }

  @Test
  void paddingIsMinimalAndEndsWithItsLength() {
    IkeMessage m = Samples.authRequest();
    int inner = PayloadChain.encode(m.payloads()).length;
    for (int block : new int[] {1, 4, 8, 16, 64}) {
      byte[] d = m.encodeProtected(new TransparentCipher(8, 12, block));
      int plaintext = d.length - 32 - 8 - 12;
      int padLength = d[32 + 8 + plaintext - 1] & 0xFF;
      assertEquals(0, plaintext % block);
      assertEquals(plaintext - inner - 1, padLength);
      assertEquals(true, padLength < block, "minimal");
    }
  }

  @Test
  void emptyInformationalIsJustPadding() throws IkeParseException {
    IkeMessage dpd = new IkeMessage(1, 2, ExchangeType.INFORMATIONAL, 8, 5, List.of());
    byte[] d = dpd.encodeProtected(cipher());
    assertEquals(PayloadType.NONE, d[28]);
    assertEquals(28 + 4 + 16 + 16 + 16, d.length);
    assertEquals(dpd, IkeMessage.decodeProtected(d, 0, d.length, cipher()));
  }

  @Test
  void anyChangedByteFailsTheIcv() {
    byte[] d = Samples.authRequest().encodeProtected(cipher());
    for (int at : new int[] {0, IkeHeader.MESSAGE_ID_OFFSET, 28, 40, d.length / 2, d.length - 1}) {
      byte[] t = d.clone();
      t[at] ^= 1;
      assertEquals(
          Reason.INTEGRITY_CHECK_FAILED,
          reason(() -> IkeMessage.decodeProtected(t, 0, t.length, cipher())),
          "byte " + at);
    }
    SkCipher wrongKey = new AesCbcHmacCipher(SK_E, Samples.bytes(32, 13), 1);
    assertEquals(
        Reason.INTEGRITY_CHECK_FAILED,
        reason(() -> IkeMessage.decodeProtected(d, 0, d.length, wrongKey)));
  }

  @Test
  void padLengthBeyondThePlaintextIsInvalidSyntax() {
    SkCipher c = new TransparentCipher(8, 8, 8);
    IkeMessage small =
        new IkeMessage(1, 2, 37, 8, 3, List.of(NotifyPayload.of(NotifyType.INITIAL_CONTACT)));
    byte[] d = small.encodeProtected(c);
    int plaintext = d.length - 32 - 8 - 8;
    assertEquals(16, plaintext, "8 bytes of notify, 7 of padding, the pad length");
    int padLengthAt = d.length - 8 - 1;
    assertEquals(7, d[padLengthAt]);
    d[padLengthAt] = (byte) plaintext;
    assertEquals(
        Reason.INVALID_SYNTAX, reason(() -> IkeMessage.decodeProtected(d, 0, d.length, c)));
    d[padLengthAt] = (byte) (plaintext - 1); // everything is padding: an empty message
    d[28] = (byte) PayloadType.NONE;
    assertEquals(List.of(), assertDecodes(d, c).payloads());
  }

  private static IkeMessage assertDecodes(byte[] d, SkCipher c) {
    try {
      return IkeMessage.decodeProtected(d, 0, d.length, c);
    } catch (IkeParseException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void lengthFieldsMustMatch() {
    byte[] d = Samples.authRequest().encodeProtected(cipher());
    byte[] header = d.clone();
    header[IkeHeader.LENGTH_OFFSET + 3]++;
    assertEquals(
        Reason.MALFORMED,
        reason(() -> IkeMessage.decodeProtected(header, 0, header.length, cipher())));
    assertEquals(
        Reason.MALFORMED, reason(() -> IkeMessage.decodeProtected(d, 0, d.length - 16, cipher())));
    byte[] sk = d.clone();
    sk[31]--; // SK payload length one short of the datagram
    assertEquals(
        Reason.MALFORMED, reason(() -> IkeMessage.decodeProtected(sk, 0, sk.length, cipher())));
  }

  @Test
  void ciphertextMustBeWholeBlocks() {
    SkCipher c = new TransparentCipher(8, 8, 8);
    byte[] d = Samples.authRequest().encodeProtected(c);
    byte[] shorter = java.util.Arrays.copyOf(d, d.length - 1);
    fixLengths(shorter);
    assertEquals(
        Reason.MALFORMED, reason(() -> IkeMessage.decodeProtected(shorter, 0, shorter.length, c)));
    byte[] tooShort = java.util.Arrays.copyOf(d, 32 + 8 + 8);
    fixLengths(tooShort);
    assertEquals(
        Reason.MALFORMED,
        reason(() -> IkeMessage.decodeProtected(tooShort, 0, tooShort.length, c)));
  }

  private static void fixLengths(byte[] d) {
    WireWriter.putInt(d, IkeHeader.LENGTH_OFFSET, d.length);
    WireWriter.putShort(d, 30, d.length - 28);
  }

  @Test
  void skMustBeTheOnlyPayload() {
    SkCipher c = new TransparentCipher(8, 8, 8);
    byte[] inner = Samples.authRequest().encodeProtected(c);
    byte[] skBody = java.util.Arrays.copyOfRange(inner, 32, inner.length);
    IkeMessage notifyThenSk =
        new IkeMessage(
            1,
            2,
            35,
            8,
            1,
            List.of(
                NotifyPayload.of(NotifyType.COOKIE, new byte[8]),
                new EncryptedPayload(35, skBody)));
    byte[] d = notifyThenSk.encode();
    assertEquals(Reason.MALFORMED, reason(() -> IkeMessage.decodeProtected(d, 0, d.length, c)));
    byte[] plain = Samples.saInitRequest().encode();
    assertEquals(
        Reason.MALFORMED, reason(() -> IkeMessage.decodeProtected(plain, 0, plain.length, c)));
  }

  @Test
  void authenticGarbageInsideIsInvalidSyntax() {
    SkCipher c = new TransparentCipher(0, 0, 1);
    byte[] d = Samples.authRequest().encodeProtected(c);
    d[32 + 3] = 2; // first inner payload length 2: below the header size
    assertEquals(
        Reason.INVALID_SYNTAX, reason(() -> IkeMessage.decodeProtected(d, 0, d.length, c)));
    // An SK payload as the content of an authentic SK payload: SK inside SK.
    byte[] innerSk = PayloadChain.encode(List.of(new EncryptedPayload(35, new byte[20])));
    byte[] framed = new byte[32 + innerSk.length + 1];
    IkeHeader.write(framed, 0, 1, 2, PayloadType.SK, 35, 8, 1, framed.length);
    framed[28] = (byte) PayloadType.SK;
    WireWriter.putShort(framed, 30, framed.length - 28);
    System.arraycopy(innerSk, 0, framed, 32, innerSk.length);
    assertEquals(
        Reason.INVALID_SYNTAX,
        reason(() -> IkeMessage.decodeProtected(framed, 0, framed.length, c)));
  }

  @Test
  void encodeRejectsEncryptedInnerPayloadsAndBadCiphers() {
    IkeMessage nested =
        new IkeMessage(1, 2, 35, 8, 1, List.of(new EncryptedPayload(35, new byte[20])));
    assertThrows(IllegalArgumentException.class, () -> nested.encodeProtected(cipher()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Samples.authRequest().encodeProtected(new TransparentCipher(0, 0, 0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Samples.authRequest().encodeProtected(new TransparentCipher(0, 0, 257)));
  }
}
