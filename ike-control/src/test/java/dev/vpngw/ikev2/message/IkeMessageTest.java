package dev.vpngw.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class IkeMessageTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  /**
   * HDR, SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP): RFC 7296 1.2
   * and 2.23, the layout of sections 3.1 to 3.10 written out field by field.
   */
  @Test
  void ikeSaInitRequestHasTheExactRfcLayout() throws IkeParseException {
    IkeMessage m =
        new IkeMessage(
            0x0102030405060708L,
            0,
            ExchangeType.IKE_SA_INIT,
            IkeHeader.FLAG_INITIATOR,
            0,
            List.of(
                SaPayload.of(
                    Proposal.ike(
                        1,
                        new Transform(TransformType.ENCR, TransformType.ENCR_AES_CBC, 256),
                        Transform.of(TransformType.PRF, TransformType.PRF_HMAC_SHA2_256),
                        Transform.of(TransformType.INTEG, TransformType.AUTH_HMAC_SHA2_256_128),
                        Transform.of(TransformType.DH, 14))),
                new KePayload(14, filled(256, 0xab)),
                new NoncePayload(filled(32, 0xcd)),
                NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, filled(20, 0x11)),
                NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, filled(20, 0x22))));
    String expected =
        // IKE header (3.1): SPIi, SPIr = 0, next SA, version 2.0, IKE_SA_INIT, I flag, id 0, 432
        "0102030405060708 0000000000000000 21 20 22 08 00000000 000001b0"
            // SA (3.3): next KE, length 48; proposal 1 (last), length 44, IKE, no SPI, 4 transforms
            + " 22 00 0030 00 00 002c 01 01 00 04"
            // ENCR AES-CBC with Key Length 256 (TV 0x800e); PRF SHA2-256; INTEG SHA2-256-128
            + " 03 00 000c 01 00 000c 800e 0100"
            + " 03 00 0008 02 00 0005"
            + " 03 00 0008 03 00 000c"
            // DH group 14, the last transform
            + " 00 00 0008 04 00 000e"
            // KE (3.4): next Nonce, length 264, group 14, reserved, 256 bytes of public value
            + " 28 00 0108 000e 0000"
            + " ab".repeat(256)
            // Nonce (3.9): next Notify, length 36
            + " 29 00 0024"
            + " cd".repeat(32)
            // Notify (3.10): next Notify, length 28, protocol 0, SPI size 0, type 16388
            + " 29 00 001c 00 00 4004"
            + " 11".repeat(20)
            // Notify: last payload, type 16389
            + " 00 00 001c 00 00 4005"
            + " 22".repeat(20);
    byte[] encoded = m.encode();
    assertEquals(expected.replace(" ", ""), HEX.formatHex(encoded));
    assertEquals(m, IkeMessage.decode(encoded, 0, encoded.length));
  }

  @Test
  void headerReadersAndFlags() throws IkeParseException {
    IkeMessage request = Samples.authRequest();
    byte[] d = request.encode();
    assertEquals(0x0102030405060708L, IkeHeader.initiatorSpi(d, 0));
    assertEquals(0x1112131415161718L, IkeHeader.responderSpi(d, 0));
    assertEquals(PayloadType.IDI, IkeHeader.nextPayload(d, 0));
    assertEquals(2, IkeHeader.majorVersion(d, 0));
    assertEquals(ExchangeType.IKE_AUTH, IkeHeader.exchangeType(d, 0));
    assertEquals(IkeHeader.FLAG_INITIATOR, IkeHeader.flags(d, 0));
    assertEquals(1, IkeHeader.messageId(d, 0));
    assertEquals(d.length, IkeHeader.length(d, 0));
    assertTrue(request.isInitiator());
    assertFalse(request.isResponse());
    IkeMessage response =
        new IkeMessage(1, 2, ExchangeType.INFORMATIONAL, IkeHeader.FLAG_RESPONSE, -1, List.of());
    assertTrue(response.isResponse());
    assertFalse(response.isInitiator());
    byte[] r = response.encode();
    assertEquals(IkeHeader.LENGTH, r.length);
    assertEquals(0xFFFF_FFFF, IkeMessage.decode(r, 0, r.length).messageId());
    assertEquals(
        "INFORMATIONAL response 4294967295 0000000000000001_i 0000000000000002_r [ ]",
        response.toString());
  }

  @Test
  void decodeAtAnOffsetInsideALargerBuffer() throws IkeParseException {
    byte[] d = Samples.saInitRequest().encode();
    byte[] framed = new byte[d.length + 10];
    System.arraycopy(d, 0, framed, 4, d.length);
    assertEquals(Samples.saInitRequest(), IkeMessage.decode(framed, 4, d.length));
  }

  @Test
  void payloadLookups() {
    IkeMessage m = Samples.authRequest();
    assertEquals("gw-a", new String(m.first(IdPayload.class).data()));
    assertNull(m.first(KePayload.class));
    assertEquals(2, m.all(TsPayload.class).size());
    assertEquals(List.of(), m.all(DeletePayload.class));
    assertEquals(
        NotifyPayload.of(NotifyType.MOBIKE_SUPPORTED), m.notify(NotifyType.MOBIKE_SUPPORTED));
    assertNull(m.notify(NotifyType.COOKIE));
  }

  @Test
  void majorVersionOtherThanTwoIsItsOwnReason() {
    byte[] d = Samples.saInitRequest().encode();
    for (int version : new int[] {0x10, 0x30, 0xF0, 0x00}) {
      d[IkeHeader.VERSION_OFFSET] = (byte) version;
      IkeParseException e =
          assertThrows(IkeParseException.class, () -> IkeMessage.decode(d, 0, d.length));
      assertEquals(Reason.INVALID_MAJOR_VERSION, e.reason());
    }
    d[IkeHeader.VERSION_OFFSET] = 0x21; // minor versions are ignored (RFC 7296 2.5)
    assertTrue(assertDoesNotThrowDecode(d));
  }

  private static boolean assertDoesNotThrowDecode(byte[] d) {
    try {
      IkeMessage.decode(d, 0, d.length);
      return true;
    } catch (IkeParseException e) {
      return false;
    }
  }

  @Test
  void lengthFieldMustMatchTheDatagram() {
    byte[] d = Samples.saInitRequest().encode();
    assertMalformed(() -> IkeMessage.decode(d, 0, d.length - 1));
    byte[] longer = Arrays.copyOf(d, d.length + 1);
    assertMalformed(() -> IkeMessage.decode(longer, 0, longer.length));
    d[IkeHeader.LENGTH_OFFSET] = (byte) 0x80; // 2^31 and more: never an int overflow
    assertMalformed(() -> IkeMessage.decode(d, 0, d.length));
    assertMalformed(() -> IkeMessage.decode(d, 0, 27));
  }

  @Test
  void unsupportedCriticalPayloadIsReportedWithItsType() throws IkeParseException {
    IkeMessage fine =
        new IkeMessage(1, 0, 34, 8, 0, List.of(new UnknownPayload(99, false, new byte[3])));
    fine.requireNoUnsupportedCritical();
    IkeMessage critical =
        new IkeMessage(1, 0, 34, 8, 0, List.of(new UnknownPayload(99, true, new byte[3])));
    byte[] d = critical.encode();
    IkeMessage decoded = IkeMessage.decode(d, 0, d.length);
    IkeParseException e =
        assertThrows(IkeParseException.class, decoded::requireNoUnsupportedCritical);
    assertEquals(Reason.UNSUPPORTED_CRITICAL_PAYLOAD, e.reason());
    assertEquals(99, e.payloadType());
  }

  @Test
  void unprotectedDecodeLeavesSkOpaque() throws IkeParseException {
    SkCipher c = new AesCbcHmacCipher(new byte[32], new byte[32], 1);
    byte[] d = Samples.authRequest().encodeProtected(c);
    IkeMessage outer = IkeMessage.decode(d, 0, d.length);
    EncryptedPayload sk = (EncryptedPayload) outer.payloads().getFirst();
    assertEquals(1, outer.payloads().size());
    assertEquals(PayloadType.IDI, sk.firstInnerType());
    assertEquals(d.length - 32, sk.body().length);
    assertTrue(Arrays.equals(d, outer.encode()), "opaque SK re-encodes to the same bytes");
  }

  private static void assertMalformed(org.junit.jupiter.api.function.Executable e) {
    assertEquals(Reason.MALFORMED, assertThrows(IkeParseException.class, e).reason());
  }
}
