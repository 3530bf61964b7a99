package dev.vpngw.io.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LibCTest {
  @Test
  void bindsOnThisMachine() {
    assertTrue(LibC.isAvailable(), () -> "unavailable: " + LibC.unavailabilityCause());
    assertNull(LibC.unavailabilityCause());
  }

  @Test
  void messageNamesCallErrnoAndDescription() {
    NativeIOException e = new NativeIOException("ioctl(TUNSETIFF)", Errno.EPERM);
    assertEquals("ioctl(TUNSETIFF) failed: EPERM (1): Operation not permitted", e.getMessage());
    assertEquals(Errno.EPERM, e.errno());
    assertEquals("ioctl(TUNSETIFF)", e.call());
    NativeIOException hinted = e.withHint("run as root");
    assertEquals(
        "ioctl(TUNSETIFF) failed: EPERM (1): Operation not permitted; run as root",
        hinted.getMessage());
  }

  @Test
  void errnoNamesFollowTheKernelHeaders() {
    assertEquals("EAGAIN", Errno.name(11));
    assertEquals("EADDRINUSE", Errno.name(98));
    assertEquals("EHWPOISON", Errno.name(133));
    assertEquals("errno 41", Errno.name(41));
    assertEquals("errno 9999", Errno.name(9999));
  }

  @Test
  void failedCallsCarryTheirErrno() {
    NativeIOException missing =
        assertThrows(
            NativeIOException.class, () -> LibC.open("/nonexistent/vpngw-probe", LibC.O_RDWR));
    assertEquals(Errno.ENOENT, missing.errno());
    assertEquals(
        "open(/nonexistent/vpngw-probe) failed: ENOENT (2): No such file or directory",
        missing.getMessage());

    NativeIOException badFd = assertThrows(NativeIOException.class, () -> LibC.close(-1));
    assertEquals(Errno.EBADF, badFd.errno());

    NativeIOException noSuchLink =
        assertThrows(NativeIOException.class, () -> LibC.ifNameToIndex("vpngw-none9"));
    assertEquals(Errno.ENODEV, noSuchLink.errno());
  }

  @Test
  void nonBlockingFlagRoundTrips() throws Exception {
    int fd = Sockets.open(LibC.AF_INET, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP, false);
    try {
      assertEquals(0, LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK);
      LibC.setNonBlocking(fd, true);
      assertEquals(LibC.O_NONBLOCK, LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK);
      LibC.setNonBlocking(fd, false);
      assertEquals(0, LibC.fcntl(fd, LibC.F_GETFL, 0) & LibC.O_NONBLOCK);
    } finally {
      LibC.close(fd);
    }
  }
}
