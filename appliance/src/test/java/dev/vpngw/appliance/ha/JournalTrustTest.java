package dev.vpngw.appliance.ha;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a standby may take over its journal: only from its current session's snapshot on. */
class JournalTrustTest {
  private static final long GRACE = 300;

  @Test
  void aFreshNodeAndANewSessionBeforeItsSnapshotAreNotTrusted() {
    JournalTrust t = new JournalTrust(GRACE);
    assertFalse(t.trusted(0), "a journal from an earlier run");
    t.sessionStarted();
    assertFalse(t.trusted(0), "no snapshot yet");
    t.snapshotInstalled();
    assertTrue(t.trusted(1000));
    t.sessionEnded(2000);
    t.sessionStarted();
    assertFalse(t.trusted(2000), "a reconnect distrusts until its snapshot");
    t.snapshotInstalled();
    assertTrue(t.trusted(2000));
  }

  @Test
  void aSessionEndedByTheActivesDeathStaysTrusted() {
    JournalTrust t = new JournalTrust(GRACE);
    t.sessionStarted();
    t.snapshotInstalled();
    t.sessionEnded(1000);
    // Its last heartbeat may be read just after the connection's end.
    assertTrue(t.trusted(1000 + GRACE - 1));
  }

  @Test
  void aPeerHeardAfterTheSessionEndedIsNeverTrustedAgainWithoutASnapshot() {
    JournalTrust t = new JournalTrust(GRACE);
    t.sessionStarted();
    t.snapshotInstalled();
    t.sessionEnded(1000);
    assertFalse(t.trusted(1000 + GRACE));
    assertFalse(t.trusted(0), "distrust is for good");
  }

  @Test
  void steppingDownDistrustsTheOldActivesJournal() {
    JournalTrust t = new JournalTrust(GRACE);
    t.sessionStarted();
    t.snapshotInstalled();
    t.distrust();
    assertFalse(t.trusted(0));
    t.sessionEnded(5000);
    assertFalse(t.trusted(0));
  }
}
