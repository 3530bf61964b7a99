package dev.vpngw.ikev2.message;

import java.util.Objects;

/**
 * Argument checks for the payload records, so that every record that can be built can also be
 * encoded (each field fits its wire width), and defensive copies so that the records stay immutable
 * although they hold arrays.
 */
final class Fields {
  private Fields() {}

  static int u8(int v, String name) {
    if (v < 0 || v > 0xFF) {
      throw new IllegalArgumentException(name + " must be 0..255: " + v);
    }
    return v;
  }

  static int u16(int v, String name) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException(name + " must be 0..65535: " + v);
    }
    return v;
  }

  static byte[] copy(byte[] b, String name) {
    return Objects.requireNonNull(b, name).clone();
  }

  static byte[] copy(byte[] b, int maxLength, String name) {
    Objects.requireNonNull(b, name);
    if (b.length > maxLength) {
      throw new IllegalArgumentException(name + " longer than " + maxLength + ": " + b.length);
    }
    return b.clone();
  }

  /** How a byte field shows in toString: its length only, so that no key material reaches a log. */
  static String len(byte[] b) {
    return b.length + "B";
  }
}
