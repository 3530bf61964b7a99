package dev.vpngw.ha.journal;

import dev.vpngw.ha.journal.HaRecord.ChildSa;
import dev.vpngw.ha.journal.HaRecord.ChildSaAdded;
import dev.vpngw.ha.journal.HaRecord.ChildSaDeleted;
import dev.vpngw.ha.journal.HaRecord.Config;
import dev.vpngw.ha.journal.HaRecord.Endpoint;
import dev.vpngw.ha.journal.HaRecord.IkeMessageIds;
import dev.vpngw.ha.journal.HaRecord.IkeSa;
import dev.vpngw.ha.journal.HaRecord.IkeSaAdded;
import dev.vpngw.ha.journal.HaRecord.IkeSaDeleted;
import dev.vpngw.ha.journal.HaRecord.IkeSaId;
import dev.vpngw.ha.journal.HaRecord.IkeSaUpdated;
import dev.vpngw.ha.journal.HaRecord.Selector;
import dev.vpngw.ha.journal.HaRecord.SequenceHandover;
import dev.vpngw.ha.journal.HaRecord.SequenceMark;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact binary encoding of {@link HaRecord}s: a format byte ({@code 0x80 | version}), one
 * type byte, then the fields in declaration order, big-endian; byte strings and text as a 16-bit
 * length (32-bit for config text) and the bytes; addresses as a length byte (4 or 16) and the
 * bytes; lists as a count byte and the items.
 *
 * <p>The format version changes whenever a record's fields change, so a journal or a peer of
 * another build is refused with a clear error ({@link UnsupportedFormatException}) instead of being
 * misread. Records from before versions (the first format had none: its first byte is a type, 1 to
 * 9, never with the high bit set) are refused the same way. Version 1 is the first with a format
 * byte (child SAs carry the {@code esn} flag).
 */
public final class RecordCodec {
  /** The record format this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Set in the format byte; no type byte of the unversioned format has it. */
  private static final int FORMAT_FLAG = 0x80;

  /** A record of a format this build cannot read (another build's journal or peer). */
  public static final class UnsupportedFormatException extends IllegalArgumentException {
    UnsupportedFormatException(String message) {
      super(message);
    }
  }

  static final int IKE_SA_ADDED = 1;
  static final int IKE_SA_UPDATED = 2;
  static final int IKE_SA_DELETED = 3;
  static final int CHILD_SA_ADDED = 4;
  // 5 is not used (it was a child SA rekey record that was never written: a rekey is journaled as
  // the new child SA added, then the old one deleted).
  static final int CHILD_SA_DELETED = 6;
  static final int SEQUENCE_MARK = 7;
  static final int IKE_MESSAGE_IDS = 8;
  static final int CONFIG = 9;
  static final int SEQUENCE_HANDOVER = 10;

  private RecordCodec() {}

  /** Encodes one record. */
  public static byte[] encode(HaRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(FORMAT_FLAG | FORMAT_VERSION);
      switch (record) {
        case IkeSaAdded r -> {
          out.writeByte(IKE_SA_ADDED);
          writeIkeSa(out, r.sa());
        }
        case IkeSaUpdated r -> {
          out.writeByte(IKE_SA_UPDATED);
          writeIkeSa(out, r.sa());
        }
        case IkeSaDeleted r -> {
          out.writeByte(IKE_SA_DELETED);
          writeId(out, r.id());
        }
        case ChildSaAdded r -> {
          out.writeByte(CHILD_SA_ADDED);
          writeChildSa(out, r.sa());
        }
        case ChildSaDeleted r -> {
          out.writeByte(CHILD_SA_DELETED);
          out.writeInt(r.inboundSpi());
        }
        case SequenceMark r -> {
          out.writeByte(SEQUENCE_MARK);
          out.writeInt(r.outboundSpi());
          out.writeLong(r.mark());
        }
        case SequenceHandover r -> {
          out.writeByte(SEQUENCE_HANDOVER);
          out.writeInt(r.outboundSpi());
          out.writeLong(r.sentUpTo());
          out.writeLong(r.mark());
          out.writeInt(r.fromNode());
        }
        case IkeMessageIds r -> {
          out.writeByte(IKE_MESSAGE_IDS);
          writeId(out, r.id());
          out.writeInt(r.nextRequestId());
          out.writeBoolean(r.requestInFlight());
          out.writeInt(r.nextExpectedId());
        }
        case Config r -> {
          out.writeByte(CONFIG);
          byte[] text = r.text().getBytes(StandardCharsets.UTF_8);
          out.writeInt(text.length);
          out.write(text);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes one record from the whole of BYTES.
   *
   * @throws UnsupportedFormatException when the record is of another format version
   * @throws IllegalArgumentException naming what is wrong when the bytes are not a record
   */
  public static HaRecord decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int format = in.get() & 0xFF;
      if ((format & FORMAT_FLAG) == 0) {
        throw new UnsupportedFormatException(
            "HA record without a format version (first byte "
                + format
                + ", written by a build before format versions); this build reads format "
                + FORMAT_VERSION);
      }
      if ((format & ~FORMAT_FLAG) != FORMAT_VERSION) {
        throw new UnsupportedFormatException(
            "HA record format version "
                + (format & ~FORMAT_FLAG)
                + " is not supported; this build reads format "
                + FORMAT_VERSION);
      }
      int type = in.get() & 0xFF;
      HaRecord record =
          switch (type) {
            case IKE_SA_ADDED -> new IkeSaAdded(readIkeSa(in));
            case IKE_SA_UPDATED -> new IkeSaUpdated(readIkeSa(in));
            case IKE_SA_DELETED -> new IkeSaDeleted(readId(in));
            case CHILD_SA_ADDED -> new ChildSaAdded(readChildSa(in));
            case CHILD_SA_DELETED -> new ChildSaDeleted(in.getInt());
            case SEQUENCE_MARK -> new SequenceMark(in.getInt(), in.getLong());
            case SEQUENCE_HANDOVER ->
                new SequenceHandover(in.getInt(), in.getLong(), in.getLong(), in.getInt());
            case IKE_MESSAGE_IDS ->
                new IkeMessageIds(readId(in), in.getInt(), in.get() != 0, in.getInt());
            case CONFIG -> {
              byte[] text = new byte[in.getInt()];
              in.get(text);
              yield new Config(new String(text, StandardCharsets.UTF_8));
            }
            default -> throw new IllegalArgumentException("unknown HA record type " + type);
          };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            "HA record type " + type + " has " + in.remaining() + " trailing bytes");
      }
      return record;
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new IllegalArgumentException("HA record truncated (" + bytes.length + " bytes)", e);
    }
  }

  private static void writeId(DataOutputStream out, IkeSaId id) throws IOException {
    out.writeLong(id.initiatorSpi());
    out.writeLong(id.responderSpi());
  }

  private static IkeSaId readId(ByteBuffer in) {
    return new IkeSaId(in.getLong(), in.getLong());
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("byte string of " + b.length + " bytes is too long");
    }
    out.writeShort(b.length);
    out.write(b);
  }

  private static byte[] readBytes(ByteBuffer in) {
    byte[] b = new byte[in.getShort() & 0xFFFF];
    in.get(b);
    return b;
  }

  private static void writeText(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static String readText(ByteBuffer in) {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  private static void writeAddress(DataOutputStream out, InetAddress a) throws IOException {
    byte[] b = a.getAddress();
    out.writeByte(b.length);
    out.write(b);
  }

  private static InetAddress readAddress(ByteBuffer in) {
    int length = in.get();
    if (length != 4 && length != 16) {
      throw new IllegalArgumentException("address length " + length + " is not 4 or 16");
    }
    byte[] b = new byte[length];
    in.get(b);
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static void writeEndpoint(DataOutputStream out, Endpoint e) throws IOException {
    writeAddress(out, e.address());
    out.writeShort(e.port());
  }

  private static Endpoint readEndpoint(ByteBuffer in) {
    return new Endpoint(readAddress(in), in.getShort() & 0xFFFF);
  }

  private static void writeIkeSa(DataOutputStream out, IkeSa s) throws IOException {
    writeId(out, s.id());
    writeText(out, s.connection());
    out.writeBoolean(s.initiator());
    out.writeByte(s.ikeVersion());
    out.writeShort(s.encryption());
    out.writeShort(s.encryptionKeyBits());
    out.writeShort(s.integrity());
    out.writeShort(s.prf());
    out.writeShort(s.dhGroup());
    for (byte[] k :
        new byte[][] {s.skD(), s.skAi(), s.skAr(), s.skEi(), s.skEr(), s.skPi(), s.skPr()}) {
      writeBytes(out, k);
    }
    writeEndpoint(out, s.local());
    writeEndpoint(out, s.remote());
    out.writeBoolean(s.natLocal());
    out.writeBoolean(s.natRemote());
    out.writeInt(s.nextRequestId());
    out.writeBoolean(s.requestInFlight());
    out.writeInt(s.nextExpectedId());
  }

  private static IkeSa readIkeSa(ByteBuffer in) {
    IkeSaId id = readId(in);
    String connection = readText(in);
    boolean initiator = in.get() != 0;
    int version = in.get();
    int encr = in.getShort() & 0xFFFF;
    int encrBits = in.getShort() & 0xFFFF;
    int integ = in.getShort() & 0xFFFF;
    int prf = in.getShort() & 0xFFFF;
    int dh = in.getShort() & 0xFFFF;
    byte[][] k = new byte[7][];
    for (int i = 0; i < 7; i++) {
      k[i] = readBytes(in);
    }
    Endpoint local = readEndpoint(in);
    Endpoint remote = readEndpoint(in);
    boolean natLocal = in.get() != 0;
    boolean natRemote = in.get() != 0;
    int nextRequest = in.getInt();
    boolean inFlight = in.get() != 0;
    int nextExpected = in.getInt();
    return new IkeSa(
        id,
        connection,
        initiator,
        version,
        encr,
        encrBits,
        integ,
        prf,
        dh,
        k[0],
        k[1],
        k[2],
        k[3],
        k[4],
        k[5],
        k[6],
        local,
        remote,
        natLocal,
        natRemote,
        nextRequest,
        inFlight,
        nextExpected);
  }

  private static void writeSelectors(DataOutputStream out, List<Selector> list) throws IOException {
    if (list.size() > 255) {
      throw new IllegalArgumentException(list.size() + " selectors; at most 255");
    }
    out.writeByte(list.size());
    for (Selector s : list) {
      writeAddress(out, s.address());
      out.writeByte(s.prefixLength());
      out.writeByte(s.protocol());
      out.writeShort(s.portLow());
      out.writeShort(s.portHigh());
    }
  }

  private static List<Selector> readSelectors(ByteBuffer in) {
    int n = in.get() & 0xFF;
    List<Selector> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(
          new Selector(
              readAddress(in),
              in.get() & 0xFF,
              in.get() & 0xFF,
              in.getShort() & 0xFFFF,
              in.getShort() & 0xFFFF));
    }
    return list;
  }

  private static void writeChildSa(DataOutputStream out, ChildSa c) throws IOException {
    writeText(out, c.connection());
    writeId(out, c.parent());
    out.writeInt(c.inboundSpi());
    out.writeInt(c.outboundSpi());
    out.writeShort(c.encryption());
    out.writeShort(c.encryptionKeyBits());
    out.writeShort(c.integrity());
    writeBytes(out, c.inboundKey());
    writeBytes(out, c.outboundKey());
    out.writeBoolean(c.udpEncapsulation());
    out.writeBoolean(c.esn());
    writeSelectors(out, c.localSelectors());
    writeSelectors(out, c.remoteSelectors());
    out.writeLong(c.softLifetimeSeconds());
    out.writeLong(c.hardLifetimeSeconds());
    out.writeLong(c.softLifetimeBytes());
    out.writeLong(c.hardLifetimeBytes());
    out.writeLong(c.createdMillis());
  }

  private static ChildSa readChildSa(ByteBuffer in) {
    String connection = readText(in);
    IkeSaId parent = readId(in);
    int inSpi = in.getInt();
    int outSpi = in.getInt();
    int encr = in.getShort() & 0xFFFF;
    int bits = in.getShort() & 0xFFFF;
    int integ = in.getShort() & 0xFFFF;
    byte[] inKey = readBytes(in);
    byte[] outKey = readBytes(in);
    boolean encap = in.get() != 0;
    boolean esn = in.get() != 0;
    List<Selector> local = readSelectors(in);
    List<Selector> remote = readSelectors(in);
    return new ChildSa(
        connection,
        parent,
        inSpi,
        outSpi,
        encr,
        bits,
        integ,
        inKey,
        outKey,
        encap,
        esn,
        local,
        remote,
        in.getLong(),
        in.getLong(),
        in.getLong(),
        in.getLong(),
        in.getLong());
  }
}
