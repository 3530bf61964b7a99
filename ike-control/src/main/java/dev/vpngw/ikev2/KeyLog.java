package dev.vpngw.ikev2;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.ikev2.crypto.IkeEncryption;
import dev.vpngw.ikev2.crypto.IkeIntegrity;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/**
 * The debugging key log, off unless configured: every IKE SA's and ESP SA's keys, written in the
 * two tables Wireshark reads from a profile directory ({@code ikev2_decryption_table} and {@code
 * esp_sa}), so that {@code XDG_CONFIG_HOME=<parent of wireshark/> tshark} decrypts a capture. The
 * files are created owner-only. Whoever can read them can read the traffic: keep it off in
 * production.
 */
public interface KeyLog {
  /** The log that writes nothing (the default). */
  KeyLog NONE = new KeyLog() {};

  /** An IKE SA's keys (RFC 7296 2.14). */
  default void ike(
      long spiI,
      long spiR,
      IkeEncryption encryption,
      int keyBits,
      byte[] skEi,
      byte[] skEr,
      IkeIntegrity integrity,
      byte[] skAi,
      byte[] skAr) {}

  /** One ESP SA's keys. */
  default void esp(
      InetAddress source,
      InetAddress destination,
      int spi,
      EspSuite suite,
      byte[] encryptionKey,
      byte[] integrityKey) {}

  /** A key log in the Wireshark profile directory {@code directory} (created if missing). */
  static KeyLog wireshark(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path ike = directory.resolve("ikev2_decryption_table");
    Path esp = directory.resolve("esp_sa");
    for (Path p : new Path[] {ike, esp}) {
      if (!Files.exists(p)) {
        Files.createFile(
            p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
    }
    HexFormat hex = HexFormat.of();
    return new KeyLog() {
      @Override
      public void ike(
          long spiI,
          long spiR,
          IkeEncryption encryption,
          int keyBits,
          byte[] skEi,
          byte[] skEr,
          IkeIntegrity integrity,
          byte[] skAi,
          byte[] skAr) {
        String enc = ikeEncryptionName(encryption, keyBits);
        String line =
            enc == null
                ? "# " + IkeLog.spi(spiI) + "_i " + encryption + ": Wireshark 4.0 cannot decrypt it"
                : String.format(
                    "\"%016x\",\"%016x\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"",
                    spiI,
                    spiR,
                    hex.formatHex(skEi),
                    hex.formatHex(skEr),
                    enc,
                    hex.formatHex(skAi),
                    hex.formatHex(skAr),
                    ikeIntegrityName(integrity));
        append(ike, line);
      }

      @Override
      public void esp(
          InetAddress source,
          InetAddress destination,
          int spi,
          EspSuite suite,
          byte[] encryptionKey,
          byte[] integrityKey) {
        String enc = espEncryptionName(suite.encryption());
        String line =
            enc == null
                ? "# 0x" + IkeLog.spi(spi) + " " + suite + ": Wireshark 4.0 cannot decrypt it"
                : String.format(
                    "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s\"",
                    source.getAddress().length == 4 ? "IPv4" : "IPv6",
                    source.getHostAddress(),
                    destination.getHostAddress(),
                    spi,
                    enc,
                    hex.formatHex(encryptionKey),
                    espIntegrityName(suite.integrity()),
                    integrityKey.length == 0 ? "" : "0x" + hex.formatHex(integrityKey));
        append(esp, line);
      }
    };
  }

  private static void append(Path file, String line) {
    try {
      Files.writeString(file, line + "\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("vpngw: key log " + file + ": " + e.getMessage());
    }
  }

  private static String ikeEncryptionName(IkeEncryption e, int bits) {
    return switch (e) {
      case AES_CBC -> "AES-CBC-" + bits + " [RFC3602]";
      case AES_GCM_8 -> "AES-GCM-" + bits + " with 8 octet ICV [RFC5282]";
      case AES_GCM_12 -> "AES-GCM-" + bits + " with 12 octet ICV [RFC5282]";
      case AES_GCM_16 -> "AES-GCM-" + bits + " with 16 octet ICV [RFC5282]";
      case TDES_CBC -> "3DES [RFC2451]";
      case CHACHA20_POLY1305 -> null;
    };
  }

  private static String ikeIntegrityName(IkeIntegrity i) {
    return switch (i) {
      case NONE -> "NONE [RFC4306]";
      case HMAC_SHA1_96 -> "HMAC_SHA1_96 [RFC2404]";
      case HMAC_SHA2_256_128 -> "HMAC_SHA2_256_128 [RFC4868]";
      case HMAC_SHA2_384_192 -> "HMAC_SHA2_384_192 [RFC4868]";
      case HMAC_SHA2_512_256 -> "HMAC_SHA2_512_256 [RFC4868]";
    };
  }

  private static String espEncryptionName(Encryption e) {
    return switch (e) {
      case AES_GCM_16_128, AES_GCM_16_256 -> "AES-GCM with 16 octet ICV [RFC4106]";
      case AES_CBC_128, AES_CBC_256 -> "AES-CBC [RFC3602]";
      case TDES_CBC -> "TripleDES-CBC [RFC2451]";
      case CHACHA20_POLY1305, AES_GMAC_128, AES_GMAC_256 -> null;
    };
  }

  private static String espIntegrityName(Integrity i) {
    return switch (i) {
      case NONE -> "NULL";
      case HMAC_SHA1_96 -> "HMAC-SHA-1-96 [RFC2404]";
      case HMAC_SHA2_256_128 -> "HMAC-SHA-256-128 [RFC4868]";
      case HMAC_SHA2_384_192 -> "HMAC-SHA-384-192 [RFC4868]";
      case HMAC_SHA2_512_256 -> "HMAC-SHA-512-256 [RFC4868]";
    };
  }
}
