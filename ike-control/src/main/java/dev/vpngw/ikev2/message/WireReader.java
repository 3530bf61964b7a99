package dev.vpngw.ikev2.message;

/**
 * A bounds-checked big-endian cursor over part of a byte array. Every read checks the remaining
 * length first and fails with {@link IkeParseException.Reason#MALFORMED}, so no length field from
 * the wire can make a decoder read past its payload or allocate more than the bytes that are there.
 */
final class WireReader {
  private final byte[] buf;
  private int pos;
  private final int end;

  /** A reader over {@code buf[offset, offset + length)}, which the caller has checked. */
  WireReader(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  int remaining() {
    return end - pos;
  }

  int position() {
    return pos;
  }

  byte[] array() {
    return buf;
  }

  private void need(int n, String what) throws IkeParseException {
    if (n < 0 || n > end - pos) {
      throw IkeParseException.malformed(
          what + ": needs " + n + " bytes, " + (end - pos) + " remain");
    }
  }

  int u8(String what) throws IkeParseException {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  int u16(String what) throws IkeParseException {
    need(2, what);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  int u32(String what) throws IkeParseException {
    need(4, what);
    int v = getInt(buf, pos);
    pos += 4;
    return v;
  }

  void skip(int n, String what) throws IkeParseException {
    need(n, what);
    pos += n;
  }

  byte[] bytes(int n, String what) throws IkeParseException {
    need(n, what);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  byte[] rest() {
    byte[] out = new byte[end - pos];
    System.arraycopy(buf, pos, out, 0, out.length);
    pos = end;
    return out;
  }

  /** Splits off the next {@code n} bytes as their own reader and moves past them. */
  WireReader slice(int n, String what) throws IkeParseException {
    need(n, what);
    WireReader sub = new WireReader(buf, pos, n);
    pos += n;
    return sub;
  }

  void expectEnd(String what) throws IkeParseException {
    if (pos != end) {
      throw IkeParseException.malformed(what + ": " + (end - pos) + " trailing bytes");
    }
  }

  static int getInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  static long getLong(byte[] b, int off) {
    return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xFFFF_FFFFL);
  }
}
