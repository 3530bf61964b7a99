package dev.vpngw.ha.repl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The replication stream between the active (server) and the standby (client) on the HA link:
 * length-prefixed frames, {@code length (4) | type (1) | payload}.
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

  static void writeLsn(DataOutputStream out, int type, long lsn) throws IOException {
    out.writeInt(9);
    out.writeByte(type);
    out.writeLong(lsn);
  }

  static void writeRecord(DataOutputStream out, int type, long lsn, byte[] record)
      throws IOException {
    boolean withLsn = type == ENTRY;
    out.writeInt(1 + (withLsn ? 8 : 0) + record.length);
    out.writeByte(type);
    if (withLsn) {
      out.writeLong(lsn);
    }
    out.write(record);
  }

  static void writeHello(DataOutputStream out, int nodeId, long lsn) throws IOException {
    out.writeInt(13);
    out.writeByte(HELLO);
    out.writeInt(nodeId);
    out.writeLong(lsn);
  }

  /** One frame read: its type and payload. */
  record Frame(int type, byte[] payload) {
    long lsn() {
      return java.nio.ByteBuffer.wrap(payload).getLong();
    }
  }

  static Frame read(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 1 || length > MAX_FRAME) {
      throw new IOException("replication frame length " + length + " outside 1.." + MAX_FRAME);
    }
    int type = in.readUnsignedByte();
    byte[] payload = new byte[length - 1];
    in.readFully(payload);
    return new Frame(type, payload);
  }
}
