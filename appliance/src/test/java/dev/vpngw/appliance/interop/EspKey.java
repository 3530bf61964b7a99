package dev.vpngw.appliance.interop;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keys of one direction of an ESP SA as strongSwan derived them (RFC 7296 section 2.17),
 * recovered from its log: what another ESP implementation, or tshark, needs to decrypt and
 * authenticate that SA's packets. For AES-GCM the encryption key is the AES key followed by the
 * 4-byte salt, exactly as charon prints it, and the integrity key is empty. The SPI is lower-case
 * hex without {@code 0x}, as {@link ChildSaInfo} shows it.
 *
 * @param child the child configuration's name
 * @param direction inbound or outbound, seen from the charon whose log this came from
 * @param encryption strongSwan's name of the encryption algorithm, like {@code AES_GCM_16}
 * @param integrity strongSwan's name of the integrity algorithm, empty for AEAD
 */
public record EspKey(
    String child,
    String spi,
    Direction direction,
    String source,
    String destination,
    String encryption,
    String integrity,
    byte[] encryptionKey,
    byte[] integrityKey) {

  /** The direction of an ESP SA seen from one gateway. */
  public enum Direction {
    INBOUND,
    OUTBOUND
  }

  public EspKey {
    encryptionKey = encryptionKey.clone();
    integrityKey = integrityKey.clone();
  }

  @Override
  public byte[] encryptionKey() {
    return encryptionKey.clone();
  }

  @Override
  public byte[] integrityKey() {
    return integrityKey.clone();
  }

  /** True when {@code other} holds the same algorithms and key bytes (the peer's view of an SA). */
  public boolean sameKeysAs(EspKey other) {
    return encryption.equals(other.encryption)
        && integrity.equals(other.integrity)
        && Arrays.equals(encryptionKey, other.encryptionKey)
        && Arrays.equals(integrityKey, other.integrityKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EspKey k
        && child.equals(k.child)
        && spi.equals(k.spi)
        && direction == k.direction
        && source.equals(k.source)
        && destination.equals(k.destination)
        && sameKeysAs(k);
  }

  @Override
  public int hashCode() {
    return spi.hashCode() * 31 + direction.hashCode();
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "EspKey[%s %s 0x%s %s->%s %s/%s enc=%s int=%s]"
        .formatted(
            child,
            direction,
            spi,
            source,
            destination,
            encryption,
            integrity.isEmpty() ? "-" : integrity,
            hex.formatHex(encryptionKey),
            hex.formatHex(integrityKey));
  }
}
