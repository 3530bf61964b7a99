package dev.vpngw.esp.interop;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.sa.SaConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * One SA of the interop matrix: suite, outer and inner IP version, UDP encapsulation, ESN; with
 * keys drawn from a seeded generator so a failure reproduces, and the names the independent tools
 * give the same transforms.
 */
record InteropCase(
    EspSuite suite, int outerVersion, int innerVersion, boolean udp, boolean esn, int spi) {
  static final HexFormat HEX = HexFormat.of();

  /**
   * The whole matrix for the given suites: 4-in-4, 6-in-6, 4-in-6, 6-in-4, UDP or not, ESN or not.
   */
  static List<InteropCase> matrix(List<EspSuite> suites, boolean withEsn) {
    List<InteropCase> cases = new ArrayList<>();
    int spi = 0x1000;
    for (EspSuite suite : suites) {
      for (int outer : new int[] {4, 6}) {
        for (int inner : new int[] {4, 6}) {
          for (boolean udp : new boolean[] {false, true}) {
            for (boolean esn : withEsn ? new boolean[] {false, true} : new boolean[] {false}) {
              cases.add(new InteropCase(suite, outer, inner, udp, esn, ++spi));
            }
          }
        }
      }
    }
    return cases;
  }

  byte[] encryptionKey() {
    return bytes(suite.encryption().keyMaterialLength(), 1);
  }

  byte[] integrityKey() {
    return bytes(suite.integrity().keyLength(), 2);
  }

  private byte[] bytes(int length, int salt) {
    byte[] b = new byte[length];
    new Random(spi * 31L + salt).nextBytes(b);
    return b;
  }

  String source() {
    return outerVersion == 4 ? "192.0.2.1" : "2001:db8:ffff::1";
  }

  String destination() {
    return outerVersion == 4 ? "192.0.2.2" : "2001:db8:ffff::2";
  }

  /**
   * The sequence numbers this case sends: across the 32-bit boundary with ESN (so the high half and
   * its inference are exercised), from 1 without.
   */
  long[] sequences() {
    return esn
        ? new long[] {0xffff_fffeL, 0xffff_ffffL, 0x1_0000_0000L, 0x1_0000_0001L}
        : new long[] {1, 2, 3};
  }

  /** Inner packet sizes, one per sequence number: small, odd, near the usual tunnel MTU. */
  int innerSize(int index) {
    return new int[] {64, 577, 1400, 99}[index];
  }

  /** The SA configuration for our side; the sender's starts at {@link #sequences()}[0]. */
  SaConfig config(boolean weSend) {
    try {
      InetAddress src = InetAddress.getByName(source());
      InetAddress dst = InetAddress.getByName(destination());
      return SaConfig.builder()
          .spi(spi)
          .suite(suite)
          .encryptionKey(encryptionKey())
          .integrityKey(integrityKey())
          .tunnel(weSend ? src : dst, weSend ? dst : src)
          .udpEncapsulation(udp)
          .esn(esn)
          .replayWindowSize(64)
          .allowLegacyCiphers(true)
          .initialSequenceNumber(sequences()[0])
          .build();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** scapy's name for the encryption transform ("AES-GMAC" is our python3-cryptography path). */
  String scapyEncryption() {
    return switch (suite.encryption()) {
      case AES_GCM_16_128, AES_GCM_16_256 -> "AES-GCM";
      case CHACHA20_POLY1305 -> "CHACHA20-POLY1305";
      case AES_GMAC_128, AES_GMAC_256 -> "AES-GMAC";
      case AES_CBC_128, AES_CBC_256 -> "AES-CBC";
      case TDES_CBC -> "3DES";
    };
  }

  /** scapy's name for the integrity transform, or null. */
  String scapyIntegrity() {
    return switch (suite.integrity()) {
      case NONE -> null;
      case HMAC_SHA1_96 -> "HMAC-SHA1-96";
      case HMAC_SHA2_256_128 -> "SHA2-256-128";
      case HMAC_SHA2_384_192 -> "SHA2-384-192";
      case HMAC_SHA2_512_256 -> "SHA2-512-256";
    };
  }

  /** Whether Wireshark 4.0's ESP dissector can decrypt this case (no ChaCha, GMAC or ESN). */
  boolean tsharkDecrypts() {
    Encryption e = suite.encryption();
    return !esn
        && e != Encryption.CHACHA20_POLY1305
        && e != Encryption.AES_GMAC_128
        && e != Encryption.AES_GMAC_256;
  }

  /** The record of Wireshark's esp_sa table that decrypts what this case's sender sends. */
  String tsharkSa() {
    String encryption =
        switch (suite.encryption()) {
          case AES_GCM_16_128, AES_GCM_16_256 -> "AES-GCM with 16 octet ICV [RFC4106]";
          case AES_CBC_128, AES_CBC_256 -> "AES-CBC [RFC3602]";
          case TDES_CBC -> "TripleDES-CBC [RFC2451]";
          default -> throw new IllegalStateException(suite + " is not in Wireshark 4.0");
        };
    String integrity =
        switch (suite.integrity()) {
          case NONE -> "NULL";
          case HMAC_SHA1_96 -> "HMAC-SHA-1-96 [RFC2404]";
          case HMAC_SHA2_256_128 -> "HMAC-SHA-256-128 [RFC4868]";
          case HMAC_SHA2_384_192 -> "HMAC-SHA-384-192 [RFC4868]";
          case HMAC_SHA2_512_256 -> "HMAC-SHA-512-256 [RFC4868]";
        };
    String integrityKey =
        suite.integrity() == Integrity.NONE ? "" : "0x" + HEX.formatHex(integrityKey());
    return String.format(
        "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s\"",
        outerVersion == 4 ? "IPv4" : "IPv6",
        source(),
        destination(),
        spi,
        encryption,
        HEX.formatHex(encryptionKey()),
        integrity,
        integrityKey);
  }

  /** The "sa" object of a scapy_esp.py job. */
  String scapySaJson() {
    String integrity = scapyIntegrity();
    return String.format(
        "{\"spi\":%d,\"crypt\":\"%s\",\"crypt_key\":\"%s\",\"auth\":%s,\"auth_key\":\"%s\","
            + "\"version\":%d,\"src\":\"%s\",\"dst\":\"%s\",\"udp\":%b,\"esn\":%b,\"esn_high\":0}",
        Integer.toUnsignedLong(spi),
        scapyEncryption(),
        HEX.formatHex(encryptionKey()),
        integrity == null ? "null" : "\"" + integrity + "\"",
        HEX.formatHex(integrityKey()),
        outerVersion,
        source(),
        destination(),
        udp,
        esn);
  }

  @Override
  public String toString() {
    return String.format(
        "%s %d-in-%d%s%s spi=0x%x",
        suite, innerVersion, outerVersion, udp ? " udp" : "", esn ? " esn" : "", spi);
  }
}
