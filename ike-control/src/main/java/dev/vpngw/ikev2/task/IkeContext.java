package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.ChildSaInstaller;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.KeyLog;
import dev.vpngw.ikev2.sa.IkeSa;
import java.security.SecureRandom;

/**
 * What the tasks and the task manager need from the daemon that runs them: randomness, the clock,
 * the log, the dataplane, unique SPIs, the transport, and the SA table (an IKE SA rekey files a new
 * SA; a failure removes one). Implemented by the IKE daemon; tests implement it in memory.
 */
public interface IkeContext {
  SecureRandom random();

  /** The IKE thread's clock (a test advances it by hand). */
  long nanoTime();

  IkeLog log();

  ChildSaInstaller installer();

  /** The debugging key log ({@link KeyLog#NONE} unless configured). */
  KeyLog keyLog();

  /** A fresh inbound ESP SPI, unique on this gateway and above the reserved range. */
  int newChildSpi();

  /** A fresh, non-zero IKE SPI, unique on this gateway. */
  long newIkeSpi();

  /** The task manager of an IKE SA. */
  TaskManager manager(IkeSa sa);

  /** Files a new IKE SA (the successor of an IKE SA rekey) under its local SPI. */
  void adopt(IkeSa successor);

  /** Sends a datagram to the SA's peer from the SA's local port. */
  void send(IkeSa sa, byte[] datagram);

  /**
   * Ends an IKE SA and everything under it: its child SAs leave the dataplane, it leaves the table,
   * and the connection's policy decides whether to start again.
   */
  void destroy(IkeSa sa, String reason, boolean restart);
}
