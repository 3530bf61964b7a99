package dev.vpngw.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadChainTest {
  private static final HexFormat HEX = HexFormat.of();

  private static List<Payload> decode(String hex, int firstType) throws IkeParseException {
    byte[] b = HEX.parseHex(hex.replace(" ", ""));
    return PayloadChain.decode(b, 0, b.length, firstType);
  }

  private static void assertMalformed(String hex, int firstType) {
    IkeParseException e = assertThrows(IkeParseException.class, () -> decode(hex, firstType));
    assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
  }

  @Test
  void everyPayloadTypeRoundTripsAlone() throws IkeParseException {
    for (Payload p : Samples.everyPlainPayload()) {
      byte[] encoded = PayloadChain.encode(List.of(p));
      assertEquals(List.of(p), PayloadChain.decode(encoded, 0, encoded.length, p.type()), "" + p);
    }
  }

  @Test
  void wholeChainRoundTripsWithNextPayloadFields() throws IkeParseException {
    List<Payload> all = Samples.everyPlainPayload();
    byte[] encoded = PayloadChain.encode(all);
    assertEquals(all, PayloadChain.decode(encoded, 0, encoded.length, all.getFirst().type()));
    // Walk the generic headers by hand: each Next Payload names the following record's type.
    int at = 0;
    for (int i = 0; i < all.size(); i++) {
      int next = encoded[at] & 0xFF;
      int expected = i + 1 < all.size() ? all.get(i + 1).type() : PayloadType.NONE;
      assertEquals(expected, next, "next payload after " + all.get(i));
      assertEquals(all.get(i).critical(), (encoded[at + 1] & 0x80) != 0);
      at += ((encoded[at + 2] & 0xFF) << 8) | (encoded[at + 3] & 0xFF);
    }
    assertEquals(encoded.length, at);
  }

  @Test
  void encryptedPayloadsEndTheChainAndCarryTheFirstInnerType() throws IkeParseException {
    List<Payload> sk =
        List.of(
            NotifyPayload.of(NotifyType.COOKIE, new byte[8]),
            new EncryptedPayload(35, new byte[40]));
    byte[] encoded = PayloadChain.encode(sk);
    assertEquals(35, encoded[16] & 0xFF, "SK next payload is the first inner type");
    assertEquals(sk, PayloadChain.decode(encoded, 0, encoded.length, PayloadType.NOTIFY));

    List<Payload> skf = List.of(new EncryptedFragmentPayload(0, 2, 3, new byte[33]));
    byte[] f = PayloadChain.encode(skf);
    assertEquals("00000029000200030000", HEX.formatHex(f, 0, 10));
    assertEquals(skf, PayloadChain.decode(f, 0, f.length, PayloadType.SKF));
  }

  @Test
  void encodeRejectsEncryptedPayloadBeforeTheEndAndOversizedPayloads() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PayloadChain.encode(
                List.of(new EncryptedPayload(0, new byte[4]), NotifyPayload.of(16384))));
    assertThrows(
        IllegalArgumentException.class,
        () -> PayloadChain.encode(List.of(new VendorIdPayload(new byte[65532]))));
    assertEquals(65535, PayloadChain.encode(List.of(new VendorIdPayload(new byte[65531]))).length);
  }

  @Test
  void emptyChainAndFirstType() throws IkeParseException {
    assertEquals(List.of(), decode("", PayloadType.NONE));
    assertEquals(PayloadType.NONE, PayloadChain.firstType(List.of()));
    assertEquals(PayloadType.KE, PayloadChain.firstType(List.of(new KePayload(1, new byte[0]))));
  }

  @Test
  void genericHeaderLengthsAreChecked() {
    assertMalformed("00 00 0003", PayloadType.VENDOR_ID); // length below the header
    assertMalformed("00 00 0009 0102 0304", PayloadType.VENDOR_ID); // beyond the bytes there
    assertMalformed("00 00 00", PayloadType.VENDOR_ID); // truncated header
    assertMalformed("00 00 0004 ff", PayloadType.VENDOR_ID); // a byte after the last payload
    assertMalformed("2b 00 0004", PayloadType.VENDOR_ID); // announces a payload that is not there
    assertMalformed("ff", PayloadType.NONE); // bytes although the chain is empty
  }

  @Test
  void encryptedPayloadMustBeLast() {
    // SK whose length stops short of the data: what follows it is not a payload.
    assertMalformed("29 00 0008 00000000 00 00 0008 00004000", PayloadType.SK);
  }

  @Test
  void unknownPayloadsKeepTheirCriticalBitAndBody() throws IkeParseException {
    List<Payload> p = decode("2b 80 0006 abcd 00 00 0004", 99);
    assertEquals(new UnknownPayload(99, true, new byte[] {(byte) 0xab, (byte) 0xcd}), p.get(0));
    assertTrue(p.get(0).critical());
    assertEquals(new VendorIdPayload(new byte[0]), p.get(1));
    // The critical bit of a known type is ignored (RFC 7296 2.5).
    assertFalse(decode("00 80 0004", PayloadType.VENDOR_ID).getFirst().critical());
  }

  @Test
  void saPayloadParsesAttributesAndSkipsUnknownOnes() throws IkeParseException {
    String transform =
        "00 00 0018 01 00 000c" // last, length 24, ENCR AES-CBC
            + " 8001 0007" // unknown TV attribute, skipped
            + " 0002 0004 deadbeef" // TLV attribute, skipped by its length
            + " 800e 0080"; // Key Length 128
    SaPayload sa =
        (SaPayload) decode("00 00 0024 00 00 0020 01 01 00 01" + transform, PayloadType.SA).get(0);
    assertEquals(List.of(Proposal.ike(1, new Transform(1, 12, 128))), sa.proposals());
  }

  @Test
  void saPayloadStructureIsChecked() {
    String t = "00 00 0008 04 00 000e";
    assertMalformed("00 00 0014 01 00 0010 01 01 00 01" + t, PayloadType.SA); // last = 1
    assertMalformed("00 00 0014 00 00 0010 01 01 00 01 02 00 0008 04 00 000e", PayloadType.SA);
    assertMalformed("00 00 000b 00 00 0007 01 01 00", PayloadType.SA); // proposal length 7
    assertMalformed("00 00 0014 00 00 0010 01 01 00 02" + t, PayloadType.SA); // 2 announced
    assertMalformed("00 00 001c 00 00 0018 01 01 00 01" + t + t, PayloadType.SA); // 1 announced
    assertMalformed("00 00 0014 00 00 0010 01 01 09 01" + t, PayloadType.SA); // spi too long
    assertMalformed("00 00 0014 00 00 0010 01 01 00 01 00 00 0007 04 00 000e", PayloadType.SA);
    assertMalformed(
        "00 00 001c 00 00 0018 01 01 00 01 00 00 0010 01 00 000c 800e 0080 800e 0100",
        PayloadType.SA); // two key lengths
    assertMalformed(
        "00 00 0018 00 00 0014 01 01 00 01 00 00 000c 01 00 000c 000e 0080", PayloadType.SA);
  }

  @Test
  void lastSubstrucValuesAreWrittenAndTolerated() throws IkeParseException {
    byte[] sa = PayloadChain.encode(List.of(Samples.ikeSa()));
    assertEquals(2, sa[4], "first of three proposals says more follow");
    assertEquals(3, sa[12], "first transform says more follow");
    // A wrong-but-legal 0 on a proposal that is not last is tolerated: the lengths rule.
    sa[4] = 0;
    assertEquals(List.of(Samples.ikeSa()), PayloadChain.decode(sa, 0, sa.length, PayloadType.SA));
  }

  @Test
  void nonceSizeLimits() throws IkeParseException {
    assertMalformed("00 00 0013" + "00".repeat(15), PayloadType.NONCE);
    assertMalformed("00 00 0105" + "00".repeat(257), PayloadType.NONCE);
    assertEquals(
        16, ((NoncePayload) decode("00 00 0014" + "00".repeat(16), 40).get(0)).nonce().length);
    assertEquals(
        256, ((NoncePayload) decode("00 00 0104" + "00".repeat(256), 40).get(0)).nonce().length);
    assertThrows(IllegalArgumentException.class, () -> new NoncePayload(new byte[15]));
  }

  @Test
  void trafficSelectorsAreCheckedAndUnknownTypesLeftOut() throws IkeParseException {
    String v4 = "07 00 0010 0000 ffff 0a000000 0affffff";
    String fc = "09 00 000c 0000 0000 00000000"; // RFC 4595 Fibre Channel: unknown here, skipped
    TsPayload ts = (TsPayload) decode("00 00 0024 02 000000" + fc + v4, PayloadType.TSI).get(0);
    assertTrue(ts.initiator());
    assertEquals(1, ts.selectors().size());
    assertEquals(
        "10.0.0.0..10.255.255.255 proto 0 ports 0..65535", ts.selectors().get(0).toString());
    assertMalformed("00 00 0018 01 000000 07 00 0010 0000 ffff 0a000000 0a", PayloadType.TSR);
    assertMalformed("00 00 0020 01 000000 07 00 0018" + "00".repeat(20), PayloadType.TSR);
    assertMalformed("00 00 0018 02 000000 07 00 0010 0000 ffff 0a000000 0affffff", 45);
    assertMalformed("00 00 000c 01 000000 09 00 0003", PayloadType.TSR); // selector length 3
    assertThrows(
        IllegalArgumentException.class,
        () -> new TrafficSelectorEntry(7, 0, 0, 65535, new byte[16], new byte[16]));
  }

  @Test
  void deleteCountsMustDescribeTheBytes() throws IkeParseException {
    assertEquals(DeletePayload.ike(), decode("00 00 0008 01 00 0000", PayloadType.DELETE).get(0));
    DeletePayload esp =
        (DeletePayload) decode("00 00 0010 03 04 0002 0000000a 0000000b", 42).get(0);
    assertArrayEquals(new int[] {10, 11}, esp.spiValues());
    assertMalformed("00 00 0010 03 04 0003 0000000a 0000000b", PayloadType.DELETE);
    assertMalformed("00 00 0008 01 00 ffff", PayloadType.DELETE); // 65535 empty SPIs
    assertMalformed("00 00 000c 03 04 0000 0000000a", PayloadType.DELETE);
  }

  @Test
  void notifyAndConfigBounds() throws IkeParseException {
    NotifyPayload n = (NotifyPayload) decode("00 00 000c 03 04 4009 01020304", 41).get(0);
    assertEquals(NotifyPayload.child(3, 0x01020304, NotifyType.REKEY_SA), n);
    assertEquals(0x01020304, n.childSpi());
    assertMalformed("00 00 000c 03 05 4009 01020304", PayloadType.NOTIFY); // spi beyond
    assertMalformed("00 00 0007 03 04 40", PayloadType.NOTIFY);
    ConfigPayload cp = (ConfigPayload) decode("00 00 000c 01 000000 8001 0000", 47).get(0);
    assertEquals(List.of(ConfigAttribute.request(1)), cp.attributes(), "reserved bit ignored");
    assertMalformed("00 00 0010 01 000000 0001 0005 0a000001", PayloadType.CP);
  }

  @Test
  void fragmentNumbersAreChecked() {
    assertMalformed("00 00 0008 0000 0001", PayloadType.SKF);
    assertMalformed("00 00 0008 0003 0002", PayloadType.SKF);
    assertMalformed("00 00 0006 0001", PayloadType.SKF);
  }

  @Test
  void recordsCopyTheirArraysAndCompareByContent() {
    byte[] data = {1, 2, 3};
    KePayload ke = new KePayload(14, data);
    data[0] = 9;
    ke.data()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, ke.data());
    assertEquals(new KePayload(14, new byte[] {1, 2, 3}), ke);
    assertEquals(new KePayload(14, new byte[] {1, 2, 3}).hashCode(), ke.hashCode());
    assertNotEquals(new KePayload(15, new byte[] {1, 2, 3}), ke);
    assertEquals(DeletePayload.esp(1, 2), DeletePayload.esp(1, 2));
    assertEquals(DeletePayload.esp(1, 2).hashCode(), DeletePayload.esp(1, 2).hashCode());
    assertNotEquals(DeletePayload.esp(1, 2), DeletePayload.esp(1, 3));
  }

  @Test
  void toStringNeverShowsSecretBytes() {
    byte[] secret = new byte[32];
    java.util.Arrays.fill(secret, (byte) 0xAB);
    List<Payload> secrets =
        List.of(
            new KePayload(14, secret),
            new NoncePayload(secret),
            new AuthPayload(2, secret),
            new EncryptedPayload(35, secret),
            new EncryptedFragmentPayload(35, 1, 2, secret),
            new CertPayload(4, secret),
            new EapPayload(secret),
            new NotifyPayload(0, new byte[0], NotifyType.COOKIE, secret));
    for (Payload p : secrets) {
      String s = p.toString().toLowerCase(java.util.Locale.ROOT);
      assertTrue(s.contains("32b"), s);
      assertFalse(s.contains("abab") || s.contains("-85"), s);
    }
  }

  @Test
  void idBodyIsTheSignedForm() {
    IdPayload id = IdPayload.fqdn(true, "gw");
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'g', 'w'}, id.body());
    assertEquals(PayloadType.IDI, id.type());
    assertEquals(PayloadType.IDR, IdPayload.fqdn(false, "gw").type());
    assertEquals("IDi[type 2, gw]", id.toString());
  }

  @Test
  void unknownPayloadCannotImpersonateAKnownType() {
    assertThrows(IllegalArgumentException.class, () -> new UnknownPayload(33, false, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new UnknownPayload(0, false, new byte[0]));
  }
}
