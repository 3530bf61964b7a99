package dev.vpngw.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.Integrity;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SaConfigTest {
  private static final byte[] GCM_KEY = new byte[20];
  private static final byte[] CBC_KEY = new byte[16];
  private static final byte[] SHA256_KEY = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      SHA256_KEY[i] = (byte) (0xa0 + i);
      if (i < 20) {
        GCM_KEY[i] = (byte) (0x10 + i);
      }
      if (i < 16) {
        CBC_KEY[i] = (byte) (0x60 + i);
      }
    }
  }

  static SaConfig.Builder valid() throws Exception {
    return SaConfig.builder()
        .spi(0x1000)
        .suite(Encryption.AES_GCM_16_128, Integrity.NONE)
        .encryptionKey(GCM_KEY)
        .tunnel(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("198.51.100.1"));
  }

  private static void assertInvalid(String expected, UnaryOperator<SaConfig.Builder> change)
      throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void defaults() throws Exception {
    SaConfig config = valid().build();
    assertEquals(0x1000, config.spi());
    assertFalse(config.udpEncapsulation());
    assertEquals(4500, config.localPort());
    assertEquals(4500, config.remotePort());
    assertFalse(config.esn());
    assertEquals(64, config.replayWindowSize());
    assertEquals(1, config.initialSequenceNumber());
    assertEquals(0, config.hardLifetimeBytes() + config.softLifetimePackets());
    assertFalse(config.isIpv6());
    assertEquals(0, config.integrityKey().length);
  }

  @Test
  void spiMustNotBeReserved() throws Exception {
    assertInvalid("spi: 0 is reserved", b -> b.spi(0));
    assertInvalid("spi: 1 is reserved", b -> b.spi(1));
    assertInvalid("spi: 255 is reserved", b -> b.spi(255));
    assertEquals(256, valid().spi(256).build().spi());
    assertEquals(0xffff_ffff, valid().spi(0xffff_ffff).build().spi(), "SPIs are unsigned");
  }

  @Test
  void keysMustMatchTheSuite() throws Exception {
    assertInvalid("suite: is required", b -> b.suite(null));
    assertInvalid("encryptionKey: is required", b -> b.encryptionKey(null));
    assertInvalid(
        "encryptionKey: AES_GCM_16_128 needs 20 bytes (16-byte key + 4-byte salt), got 16",
        b -> b.encryptionKey(CBC_KEY));
    assertInvalid("integrityKey: NONE needs 0 bytes, got 32", b -> b.integrityKey(SHA256_KEY));
    assertInvalid(
        "integrityKey: HMAC_SHA2_256_128 needs 32 bytes, got 0",
        b -> b.suite(Encryption.AES_CBC_128, Integrity.HMAC_SHA2_256_128).encryptionKey(CBC_KEY));
    SaConfig cbc =
        valid()
            .suite(Encryption.AES_CBC_128, Integrity.HMAC_SHA2_256_128)
            .encryptionKey(CBC_KEY)
            .integrityKey(SHA256_KEY)
            .build();
    assertEquals(32, cbc.integrityKey().length);
  }

  @Test
  void keysAreCopiedInAndOut() throws Exception {
    byte[] key = GCM_KEY.clone();
    SaConfig config = valid().encryptionKey(key).build();
    key[0] ^= 1;
    assertEquals(GCM_KEY[0], config.encryptionKey()[0]);
    config.encryptionKey()[1] ^= 1;
    assertEquals(GCM_KEY[1], config.encryptionKey()[1]);
  }

  @Test
  void tripleDesNeedsTheLegacyFlag() throws Exception {
    UnaryOperator<SaConfig.Builder> tdes =
        b ->
            b.suite(Encryption.TDES_CBC, Integrity.HMAC_SHA1_96)
                .encryptionKey(new byte[24])
                .integrityKey(new byte[20]);
    assertInvalid("suite: 3DES is legacy; enable allowLegacyCiphers", tdes);
    SaConfig config = tdes.apply(valid()).allowLegacyCiphers(true).build();
    assertTrue(config.allowLegacyCiphers());
  }

  @Test
  void tunnelEndpointsAreOneFamily() throws Exception {
    assertInvalid("localAddress: is required", b -> b.localAddress(null));
    assertInvalid("remoteAddress: is required", b -> b.remoteAddress(null));
    InetAddress v6 = InetAddress.getByName("2001:db8::1");
    assertInvalid(
        "remoteAddress: 2001:db8:0:0:0:0:0:1 is not of the same family as localAddress 192.0.2.1",
        b -> b.remoteAddress(v6));
    assertTrue(valid().tunnel(v6, InetAddress.getByName("2001:db8::2")).build().isIpv6());
  }

  @Test
  void portsAreUdpPorts() throws Exception {
    assertInvalid("localPort: 0 is not a UDP port", b -> b.localPort(0));
    assertInvalid("remotePort: 65536 is not a UDP port", b -> b.remotePort(65_536));
    SaConfig config = valid().udpEncapsulation(true).remotePort(31_337).build();
    assertTrue(config.udpEncapsulation());
    assertEquals(31_337, config.remotePort());
  }

  @Test
  void replayWindowIsZeroOrAPowerOfTwoFrom64To8192() throws Exception {
    for (int size : new int[] {0, 64, 128, 4096, 8192}) {
      assertEquals(size, valid().replayWindowSize(size).build().replayWindowSize());
    }
    for (int size : new int[] {-64, 32, 63, 96, 4095, 16_384}) {
      assertInvalid("replayWindowSize: " + size + " must be 0", b -> b.replayWindowSize(size));
    }
    assertInvalid(
        "replayWindowSize: 0 (disabled) cannot go with ESN", b -> b.esn(true).replayWindowSize(0));
  }

  @Test
  void lifetimesAreNonNegativeAndSoftAtMostHard() throws Exception {
    assertInvalid("softLifetimeBytes: 11 exceeds the hard limit 10", b -> b.lifetimeBytes(11, 10));
    assertInvalid("hardLifetimePackets: -1 is negative", b -> b.lifetimePackets(0, -1));
    assertInvalid("softLifetimePackets: -1 is negative", b -> b.lifetimePackets(-1, 0));
    SaConfig config = valid().lifetimeBytes(5, 0).lifetimePackets(10, 10).build();
    assertEquals(5, config.softLifetimeBytes());
    assertEquals(10, config.hardLifetimePackets());
  }

  @Test
  void initialSequenceNumberFitsTheSequenceSpace() throws Exception {
    assertInvalid("initialSequenceNumber: 0 is never sent", b -> b.initialSequenceNumber(0));
    assertInvalid(
        "initialSequenceNumber: 4294967296 exceeds the 32-bit sequence space",
        b -> b.initialSequenceNumber(1L << 32));
    assertEquals(
        1L << 32,
        valid().esn(true).initialSequenceNumber(1L << 32).build().initialSequenceNumber());
    assertEquals(-1L, valid().esn(true).initialSequenceNumber(-1L).build().initialSequenceNumber());
  }

  @Test
  void toBuilderRoundTripsAndToStringHidesKeys() throws Exception {
    SaConfig config = valid().udpEncapsulation(true).esn(true).lifetimeBytes(1, 2).build();
    SaConfig copy = config.toBuilder().build();
    assertEquals(config.toString(), copy.toString());
    assertEquals(
        HexFormat.of().formatHex(config.encryptionKey()),
        HexFormat.of().formatHex(copy.encryptionKey()));
    assertEquals(2, copy.hardLifetimeBytes());
    String text = config.toString();
    assertTrue(text.contains("spi=0x1000"), text);
    assertNotEquals(-1, text.indexOf("AES_GCM_16_128"));
    assertFalse(text.contains(HexFormat.of().formatHex(GCM_KEY)), text);
  }
}
