package dev.vpngw.sa;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * The inbound SAs one worker owns, found by SPI (RFC 4301 4.1: for unicast traffic the SPI alone
 * identifies the SA) without boxing, like strongSwan's {@code ipsec_sa_mgr} lookup but over an
 * Agrona open-addressing map.
 *
 * <p>Single writer: only the owning worker adds, removes and looks up (other threads hand it
 * commands), so there is no lock. Outbound SAs are not kept here: the policy that selects one
 * already holds it.
 */
public final class SaDatabase {
  private final Int2ObjectHashMap<SecurityAssociation> inbound = new Int2ObjectHashMap<>();

  /**
   * Installs an inbound SA.
   *
   * @throws IllegalArgumentException if it is outbound or its SPI is already installed
   */
  public void add(SecurityAssociation sa) {
    if (sa.direction() != SecurityAssociation.Direction.INBOUND) {
      throw new IllegalArgumentException(sa + " is not inbound");
    }
    if (inbound.containsKey(sa.spi())) {
      throw new IllegalArgumentException(
          "SPI 0x" + Integer.toHexString(sa.spi()) + " is already installed");
    }
    inbound.put(sa.spi(), sa);
  }

  /** Uninstalls the SA with this SPI and returns it (the caller closes it), or null if none. */
  public SecurityAssociation remove(int spi) {
    return inbound.remove(spi);
  }

  /** The inbound SA with this SPI, or null. */
  public SecurityAssociation lookup(int spi) {
    return inbound.get(spi);
  }

  /** How many SAs are installed. */
  public int size() {
    return inbound.size();
  }
}
