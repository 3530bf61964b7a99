package dev.vpngw.io.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class EventFdTest {
  @Test
  void aSignalMakesItReadableUntilDrainedAndEndsAPollFromAnotherThread() throws Exception {
    assumeTrue(LibC.isAvailable(), () -> "libc: " + LibC.unavailabilityCause());
    try (EventFd e = EventFd.open()) {
      Poller poller = new Poller(e.fd());
      assertEquals(0, poller.poll(0), "a new eventfd is not readable");
      assertFalse(e.drain(), "nothing to drain");

      e.signal();
      e.signal();
      assertEquals(1, poller.poll(0));
      assertTrue(e.drain(), "two signals drain in one read");
      assertEquals(0, poller.poll(0), "drained");
      assertFalse(e.drain());

      Thread signaller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      e.signal();
                    } catch (NativeIOException x) {
                      throw new IllegalStateException(x);
                    }
                  });
      // A long timeout that a passing test never reaches: the signal must end the wait.
      assertEquals(1, poller.poll(30_000));
      signaller.join();
      assertTrue(poller.isReady(0));
      assertTrue(e.drain());
    }
  }
}
