package dev.vpngw.crypto;

import java.util.HexFormat;

/** Hex for test vectors as printed in RFCs: whitespace and line breaks are ignored. */
final class Hex {
  private Hex() {}

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
