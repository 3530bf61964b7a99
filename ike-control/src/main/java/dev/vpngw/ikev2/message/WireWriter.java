package dev.vpngw.ikev2.message;

import java.util.Arrays;

/**
 * A growable big-endian byte sink for building messages, with back-patching of length fields once
 * the body they cover is written.
 */
final class WireWriter {
  private byte[] buf = new byte[256];
  private int size;

  int size() {
    return size;
  }

  private void ensure(int n) {
    if (size + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }

  WireWriter u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  WireWriter u16(int v) {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  WireWriter u32(int v) {
    ensure(4);
    putInt(buf, size, v);
    size += 4;
    return this;
  }

  WireWriter zeros(int n) {
    ensure(n);
    size += n;
    return this;
  }

  WireWriter bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  /** Overwrites a 16-bit field written earlier. */
  void patchU16(int at, int v) {
    buf[at] = (byte) (v >>> 8);
    buf[at + 1] = (byte) v;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) (v >>> 32));
    putInt(b, off + 4, (int) v);
  }

  static void putShort(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }
}
