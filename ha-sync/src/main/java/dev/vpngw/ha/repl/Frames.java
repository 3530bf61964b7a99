package dev.vpngw.ha.repl;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The replication stream between the active (server) and the standby (client) on the HA link:
 * frames of {@code type (1) | payload}, each sealed by {@link SecureStream}.
 *
 * <pre>
 * HELLO       standby -> active  node id (4) | last applied lsn (8)
 * SNAP_BEGIN  active -> standby  lsn (8)          a snapshot of the state as of lsn follows
 * SNAP_RECORD active -> standby  record bytes
 * SNAP_END    active -> standby  lsn (8)
 * ENTRY       active -> standby  lsn (8) | record bytes   every journal entry after the snapshot
 * ACK         standby -> active  lsn (8)          applied and journaled up to lsn
 * </pre>
 */
final class Frames {
  static final int HELLO = 1;
  static final int SNAP_BEGIN = 2;
  static final int SNAP_RECORD = 3;
  static final int SNAP_END = 4;
  static final int ENTRY = 5;
  static final int ACK = 6;

  /** Largest frame accepted: a record is at most a config text, kept well under this. */
  static final int MAX_FRAME = 16 << 20;

  private Frames() {}

  static byte[] lsn(int type, long lsn) {
    return ByteBuffer.allocate(9).put((byte) type).putLong(lsn).array();
  }

  static byte[] record(int type, long lsn, byte[] record) {
    boolean withLsn = type == ENTRY;
    ByteBuffer b = ByteBuffer.allocate(1 + (withLsn ? 8 : 0) + record.length).put((byte) type);
    if (withLsn) {
      b.putLong(lsn);
    }
    return b.put(record).array();
  }

  static byte[] hello(int nodeId, long lsn) {
    return ByteBuffer.allocate(13).put((byte) HELLO).putInt(nodeId).putLong(lsn).array();
  }

  /** One frame: its type and payload. */
  record Frame(int type, byte[] payload) {
    long lsn() {
      return ByteBuffer.wrap(payload).getLong();
    }
  }

  static Frame parse(byte[] frame) throws IOException {
    if (frame.length < 1) {
      throw new IOException("empty replication frame");
    }
    byte[] payload = new byte[frame.length - 1];
    System.arraycopy(frame, 1, payload, 0, payload.length);
    return new Frame(frame[0] & 0xFF, payload);
  }
}
