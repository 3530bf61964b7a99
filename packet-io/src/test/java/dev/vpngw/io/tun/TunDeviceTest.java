package dev.vpngw.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The errors a gateway operator sees when TUN cannot be opened; no device is created here. */
class TunDeviceTest {
  @BeforeAll
  static void needsLibC() {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
  }

  @Test
  void aMissingCloneDeviceSaysTheDriverIsMissing() {
    NativeIOException e =
        assertThrows(
            NativeIOException.class, () -> TunDevice.open("/nonexistent/net/tun", "vpngwx0", 1));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(
        e.getMessage().startsWith("open(/nonexistent/net/tun) failed: ENOENT (2)"), e.getMessage());
    assertTrue(e.getMessage().contains("TUN driver is missing"), e.getMessage());
  }

  @Test
  void aCloneDeviceThatIsNotTunSaysSo() {
    NativeIOException e =
        assertThrows(NativeIOException.class, () -> TunDevice.open("/dev/null", "vpngwx0", 1));
    assertEquals(Errno.ENOTTY, e.errno());
    assertTrue(e.getMessage().startsWith("ioctl(TUNSETIFF) failed: ENOTTY (25)"), e.getMessage());
    assertTrue(e.getMessage().contains("not the TUN driver"), e.getMessage());
  }

  @Test
  void namesAndQueueCountsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> TunDevice.open("", 1));
    assertThrows(IllegalArgumentException.class, () -> TunDevice.open("a-name-too-long-x", 1));
    assertThrows(IllegalArgumentException.class, () -> TunDevice.open("bad/name", 1));
    assertThrows(IllegalArgumentException.class, () -> TunDevice.open("vpngwx0", 0));
  }
}
