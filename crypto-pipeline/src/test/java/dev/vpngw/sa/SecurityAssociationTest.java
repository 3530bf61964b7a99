package dev.vpngw.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.EspCipher;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.jdk.JdkEngine;
import dev.vpngw.sa.SecurityAssociation.LifetimeState;
import org.junit.jupiter.api.Test;

class SecurityAssociationTest {
  private static final CryptoEngine ENGINE = new JdkEngine();

  @Test
  void outboundSequenceRunsFromTheConfigAndStopsAt32Bits() throws Exception {
    SaConfig config = SaConfigTest.valid().initialSequenceNumber(0xffff_fffeL).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, ENGINE)) {
      assertEquals(SecurityAssociation.Direction.OUTBOUND, sa.direction());
      assertEquals(0xffff_fffeL, sa.takeSequence());
      assertFalse(sa.needsRekey());
      assertEquals(0xffff_ffffL, sa.takeSequence());
      assertTrue(sa.isSequenceExhausted(), "2^32 - 1 was the last");
      assertTrue(sa.needsRekey());
      assertFalse(sa.isExpired(), "exhaustion is not a lifetime expiry");
    }
  }

  @Test
  void esnSequenceStopsAt64Bits() throws Exception {
    SaConfig config = SaConfigTest.valid().esn(true).initialSequenceNumber(0xffff_ffffL).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, ENGINE)) {
      assertEquals(0xffff_ffffL, sa.takeSequence());
      assertEquals(1L << 32, sa.takeSequence(), "ESN goes on past 2^32");
      assertFalse(sa.isSequenceExhausted());
    }
    config = config.toBuilder().initialSequenceNumber(-2L).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, ENGINE)) {
      assertEquals(-2L, sa.takeSequence());
      assertEquals(-1L, sa.takeSequence());
      assertTrue(sa.isSequenceExhausted(), "2^64 - 1 was the last");
    }
  }

  @Test
  void packetLifetimeSoftThenHard() throws Exception {
    SaConfig config = SaConfigTest.valid().lifetimePackets(2, 3).build();
    try (SecurityAssociation sa = SecurityAssociation.outbound(config, ENGINE)) {
      sa.chargeLifetime(100);
      assertEquals(LifetimeState.ACTIVE, sa.lifetimeState());
      sa.chargeLifetime(100);
      assertEquals(LifetimeState.SOFT_EXPIRED, sa.lifetimeState());
      assertTrue(sa.needsRekey());
      assertFalse(sa.isExpired());
      sa.chargeLifetime(100);
      assertEquals(LifetimeState.HARD_EXPIRED, sa.lifetimeState());
      assertTrue(sa.isExpired());
      assertEquals(3, sa.packets());
      assertEquals(300, sa.bytes());
    }
  }

  @Test
  void byteLifetimeSoftThenHard() throws Exception {
    SaConfig config = SaConfigTest.valid().lifetimeBytes(1000, 1500).build();
    try (SecurityAssociation sa = SecurityAssociation.inbound(config, ENGINE)) {
      sa.chargeLifetime(999);
      assertEquals(LifetimeState.ACTIVE, sa.lifetimeState());
      sa.chargeLifetime(1);
      assertEquals(LifetimeState.SOFT_EXPIRED, sa.lifetimeState());
      sa.chargeLifetime(499);
      assertEquals(LifetimeState.SOFT_EXPIRED, sa.lifetimeState());
      sa.chargeLifetime(1);
      assertEquals(LifetimeState.HARD_EXPIRED, sa.lifetimeState());
    }
  }

  @Test
  void inboundWindowStartsBelowTheInitialSequenceNumber() throws Exception {
    SaConfig config =
        SaConfigTest.valid()
            .esn(true)
            .replayWindowSize(4096)
            .initialSequenceNumber(1L << 32)
            .build();
    try (SecurityAssociation sa = SecurityAssociation.inbound(config, ENGINE)) {
      ReplayWindow window = sa.replayWindow();
      assertEquals(4096, window.size());
      assertTrue(window.esn());
      assertEquals((1L << 32) - 1, window.highestSequence());
      assertEquals(1L << 32, window.infer(0));
    }
  }

  @Test
  void outboundHasNoReplayWindow() throws Exception {
    try (SecurityAssociation sa =
        SecurityAssociation.outbound(SaConfigTest.valid().build(), ENGINE)) {
      assertThrows(IllegalStateException.class, sa::replayWindow);
    }
  }

  @Test
  void anEngineWithoutTheSuiteIsRefused() throws Exception {
    CryptoEngine none =
        new CryptoEngine() {
          @Override
          public String name() {
            return "none";
          }

          @Override
          public boolean isAvailable() {
            return true;
          }

          @Override
          public String unavailabilityCause() {
            return null;
          }

          @Override
          public boolean supports(EspSuite suite) {
            return false;
          }

          @Override
          public EspCipher newCipher(
              EspSuite suite, byte[] encryptionKey, byte[] integrityKey, boolean outbound) {
            throw new AssertionError("not reached");
          }
        };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SecurityAssociation.inbound(SaConfigTest.valid().build(), none));
    assertEquals("crypto engine none does not support AES_GCM_16_128", e.getMessage());
  }

  @Test
  void databaseFindsInboundSasBySpi() throws Exception {
    SaDatabase database = new SaDatabase();
    try (SecurityAssociation a = SecurityAssociation.inbound(SaConfigTest.valid().build(), ENGINE);
        SecurityAssociation b =
            SecurityAssociation.inbound(SaConfigTest.valid().spi(0xffff_0000).build(), ENGINE);
        SecurityAssociation out =
            SecurityAssociation.outbound(SaConfigTest.valid().spi(0x2000).build(), ENGINE)) {
      database.add(a);
      database.add(b);
      assertEquals(2, database.size());
      assertSame(a, database.lookup(0x1000));
      assertSame(b, database.lookup(0xffff_0000));
      assertNull(database.lookup(0x1001));
      assertThrows(IllegalArgumentException.class, () -> database.add(a), "duplicate SPI");
      assertThrows(IllegalArgumentException.class, () -> database.add(out), "outbound");
      assertSame(a, database.remove(0x1000));
      assertNull(database.lookup(0x1000));
      assertNull(database.remove(0x1000));
      assertEquals(1, database.size());
    }
  }
}
