package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.EspKey.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The ESP keys recovered from real charon 5.9.8 logs (two gateways, chd = 4) belong to the SPIs
 * they were derived for: each SA's keys are the same on the gateway that sends with it and on the
 * one that receives with it, after the IKE_AUTH exchange, after a CHILD_SA rekey (with PFS) that
 * the responder started, and after an IKE_SA rekey, for AES-CBC with HMAC-SHA-256 and for AES-GCM.
 */
class EspKeyLogTest {
  static String resource(String name) throws IOException {
    try (InputStream in = EspKeyLogTest.class.getResourceAsStream("/interop/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static EspKey find(List<EspKey> keys, String spi, Direction direction) {
    return keys.stream()
        .filter(k -> k.spi().equals(spi) && k.direction() == direction)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + direction + " " + spi + " in " + keys));
  }

  /** Every SA of one side has its counterpart, with the same keys, on the other. */
  private static void assertSidesAgree(List<EspKey> a, List<EspKey> b) {
    assertEquals(a.size(), b.size(), a + "\n" + b);
    for (EspKey k : a) {
      Direction other = k.direction() == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
      EspKey peer = find(b, k.spi(), other);
      assertTrue(k.sameKeysAs(peer), k + " vs " + peer);
      assertEquals(k.source(), peer.source());
      assertEquals(k.destination(), peer.destination());
    }
  }

  @Test
  void cbcKeysAgreeAcrossAuthChildRekeyAndIkeRekey() throws IOException {
    List<EspKey> a = EspKeyLog.parse(resource("charon-a-cbc-rekeys.log"));
    List<EspKey> b = EspKeyLog.parse(resource("charon-b-cbc-rekeys.log"));
    assertEquals(
        Set.of("01a34247", "c299fdc9", "989a27a1", "6fe785fa"),
        a.stream().map(EspKey::spi).collect(Collectors.toSet()));
    assertSidesAgree(a, b);

    // A initiated IKE_AUTH, so it sends on c299fdc9 with the "initiator" keys that B logged.
    EspKey out = find(a, "c299fdc9", Direction.OUTBOUND);
    HexFormat hex = HexFormat.of();
    assertArrayEquals(hex.parseHex("766b4fd2294191ed447ba309f6055332"), out.encryptionKey());
    assertArrayEquals(
        hex.parseHex("7d38102c245863494f4c7021c90d83188e5b56cba6271c89f440c822645a2e4b"),
        out.integrityKey());
    assertEquals("AES_CBC", out.encryption());
    assertEquals("HMAC_SHA2_256_128", out.integrity());
    assertEquals("192.0.2.1", out.source());
    assertEquals("192.0.2.2", out.destination());
    assertEquals("net", out.child());
  }

  @Test
  void gcmKeysAgreeAfterAResponderStartedRekey() throws IOException {
    List<EspKey> a = EspKeyLog.parse(resource("charon-a-gcm-responder-rekey.log"));
    List<EspKey> b = EspKeyLog.parse(resource("charon-b-gcm-responder-rekey.log"));
    assertEquals(4, a.size(), a.toString());
    assertSidesAgree(a, b);
    for (EspKey k : a) {
      assertEquals("AES_GCM_16", k.encryption());
      assertEquals(20, k.encryptionKey().length, "16 key bytes and a 4-byte salt");
      assertEquals(0, k.integrityKey().length);
    }
  }

  /**
   * The shape of a responder's rekey as charon logs it: thread 15 derives net{2}'s keys and
   * registers the outbound SA; thread 09, which derived net{1}'s keys earlier, installs that
   * outbound SA later, when the old one is deleted. The keys must come from net{2}.
   */
  @Test
  void outboundHalfInstalledByAnotherThreadTakesTheKeysOfItsOwnChildSa() {
    String log =
        """
        10:00:00 09[ENC] parsed IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]
        10:00:00 09[CHD] CHILD_SA net{1} state change: CREATED => INSTALLING
        10:00:00 09[CHD]   using AES_GCM_16 for encryption
        10:00:00 09[CHD] encryption initiator key => 20 bytes @ 0x1
        10:00:00 09[CHD]    0: 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11  ................
        10:00:00 09[CHD]   16: 11 11 11 11                                      ....
        10:00:00 09[CHD] encryption responder key => 20 bytes @ 0x2
        10:00:00 09[CHD]    0: 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22  ................
        10:00:00 09[CHD]   16: 22 22 22 22                                      ....
        10:00:00 09[CHD] adding inbound ESP SA
        10:00:00 09[CHD]   SPI 0x0000000a, src 192.0.2.2 dst 192.0.2.1
        10:00:00 09[CHD] adding outbound ESP SA
        10:00:00 09[CHD]   SPI 0x0000000b, src 192.0.2.1 dst 192.0.2.2
        10:00:00 09[IKE] CHILD_SA net{1} established with SPIs 0000000a_i 0000000b_o and TS x
        10:00:01 15[ENC] parsed CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]
        10:00:01 15[CHD] CHILD_SA net{2} state change: CREATED => INSTALLING
        10:00:01 15[CHD]   using AES_GCM_16 for encryption
        10:00:01 15[CHD] encryption initiator key => 20 bytes @ 0x3
        10:00:01 15[CHD]    0: 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33  3333333333333333
        10:00:01 15[CHD]   16: 33 33 33 33                                      3333
        10:00:01 15[CHD] encryption responder key => 20 bytes @ 0x4
        10:00:01 15[CHD]    0: 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44  DDDDDDDDDDDDDDDD
        10:00:01 15[CHD]   16: 44 44 44 44                                      DDDD
        10:00:01 15[CHD] adding inbound ESP SA
        10:00:01 15[CHD]   SPI 0x0000000c, src 192.0.2.2 dst 192.0.2.1
        10:00:01 15[CHD] registering outbound ESP SA
        10:00:01 15[CHD]   SPI 0x0000000d, src 192.0.2.1 dst 192.0.2.2
        10:00:01 15[IKE] inbound CHILD_SA net{2} established with SPIs 0000000c_i 0000000d_o and TS x
        10:00:01 09[ENC] parsed INFORMATIONAL request 1 [ D ]
        10:00:01 09[CHD] adding outbound ESP SA
        10:00:01 09[CHD]   SPI 0x0000000d, src 192.0.2.1 dst 192.0.2.2
        10:00:01 09[IKE] outbound CHILD_SA net{2} established with SPIs 0000000c_i 0000000d_o and TS x
        """;
    List<EspKey> keys = EspKeyLog.parse(log);
    assertEquals(4, keys.size(), keys.toString());
    byte[] initiator1 = new byte[20];
    Arrays.fill(initiator1, (byte) 0x11);
    // net{1}: we initiated IKE_AUTH, so we send with the initiator keys.
    assertArrayEquals(initiator1, find(keys, "0000000b", Direction.OUTBOUND).encryptionKey());
    // net{2}: the peer initiated the rekey, so we send with the responder keys, and receive with
    // the initiator ones.
    byte[] responder2 = new byte[20];
    Arrays.fill(responder2, (byte) 0x44);
    byte[] initiator2 = new byte[20];
    Arrays.fill(initiator2, (byte) 0x33);
    assertArrayEquals(responder2, find(keys, "0000000d", Direction.OUTBOUND).encryptionKey());
    assertArrayEquals(initiator2, find(keys, "0000000c", Direction.INBOUND).encryptionKey());
  }
}
