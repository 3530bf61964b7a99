package dev.vpngw.io.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What can be checked without sending a frame (sending is covered by ha-sync's system tests). */
class PacketSocketTest {
  @Test
  void loopbackHasTheAllZeroEthernetAddress() throws IOException {
    assertArrayEquals(new byte[6], PacketSocket.macAddress("lo"));
  }

  @Test
  void badInterfaceNamesAreRefusedAndMissingOnesNamed() {
    assertThrows(IllegalArgumentException.class, () -> PacketSocket.macAddress("../etc"));
    assertThrows(IllegalArgumentException.class, () -> PacketSocket.macAddress(""));
    IOException e = assertThrows(IOException.class, () -> PacketSocket.macAddress("nosuchif9"));
    assertTrue(e.getMessage().contains("nosuchif9"), e.getMessage());
  }

  @Test
  void opensASendOnlySocketOnLoopback() throws IOException {
    try (PacketSocket s = PacketSocket.open("lo", PacketSocket.ETH_P_ARP)) {
      assertEquals("lo", s.device());
      assertTrue(s.ifIndex() > 0);
      assertThrows(IllegalArgumentException.class, () -> s.send(new byte[10]));
    }
  }
}
