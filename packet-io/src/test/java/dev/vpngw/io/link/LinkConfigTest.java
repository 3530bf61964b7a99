package dev.vpngw.io.link;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class LinkConfigTest {
  @Test
  void aFailedCommandReportsItselfAndItsStderr() {
    // A device that does not exist: ip fails without changing anything.
    IOException e = assertThrows(IOException.class, () -> LinkConfig.setMtu("vpngw-none9", 1400));
    String message = e.getMessage();
    assertTrue(
        message.startsWith(LinkConfig.ipCommand() + " link set dev vpngw-none9 mtu 1400 failed"),
        message);
    assertTrue(message.contains("exit "), message);
    assertTrue(message.contains("vpngw-none9"), message);
    assertTrue(message.toLowerCase().contains("cannot find device"), message);
  }

  @Test
  void argumentsAreCheckedBeforeAnythingRuns() {
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.up("-n"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.up("has space"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.setMtu("lo", 20));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.addAddress("lo", "10.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.addAddress("lo", "10.0.0.1/33"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.addRoute("example.com/24", "lo"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.deleteRoute("fd00::/129", "lo"));
    assertThrows(IllegalArgumentException.class, () -> LinkConfig.acceptLocalSource("../all"));
    assertThrows(
        IllegalArgumentException.class, () -> LinkConfig.addRoute("10.0.0.0/8", "lo", 1400, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> LinkConfig.replaceRouteVia("10.0.0.0/8", "gateway.example", "lo", 50));
    assertThrows(
        IllegalArgumentException.class,
        () -> LinkConfig.deleteRouteVia("10.0.0.0/8", "10.0.0.1", "-n", 50));
  }

  @Test
  void acceptLocalSourceNamesAMissingDevice() {
    IOException e =
        assertThrows(IOException.class, () -> LinkConfig.acceptLocalSource("vpngw-none9"));
    assertTrue(e.getMessage().contains("no IPv4 device vpngw-none9"), e.getMessage());
  }
}
