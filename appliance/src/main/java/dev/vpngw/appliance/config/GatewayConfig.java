package dev.vpngw.appliance.config;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.fib.IpPrefix;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One gateway's whole configuration, in the terms of the cloud gateways it replaces: the virtual
 * network gateway itself, the local network gateways (on-premises sites) and the connections to
 * them. Immutable; produced and validated by {@link ConfigLoader}; documented field by field in
 * docs/CONFIG.md.
 *
 * @param gateway the virtual network gateway
 * @param localNetworkGateways the sites
 * @param connections the tunnels
 */
public record GatewayConfig(
    Gateway gateway, List<LocalNetworkGateway> localNetworkGateways, List<Connection> connections) {

  /**
   * The virtual network gateway.
   *
   * @param name the gateway's name, also the default run directory's
   * @param publicAddress the address ESP and IKE are sent from and received on
   * @param vnetPrefixes the virtual network's address space behind the gateway
   * @param tunnelInterface the TUN device carrying inner packets to and from the kernel
   * @param wanMtu the MTU of the path to the peers, from which each tunnel's MTU follows
   * @param workers crypto worker threads
   * @param runDirectory where the counters file lives
   * @param keyLogDirectory a Wireshark profile directory the IKE and ESP keys are written to for
   *     debugging, or null (the default: no key log)
   * @param ikeCookieThreshold half-open IKE SAs above which a new IKE_SA_INIT must return a COOKIE
   *     (RFC 7296 2.6); 0 demands one always
   * @param tunOffload whether the TUN device hands over TCP/UDP super-packets (vnet header with GSO
   *     and checksum offloads) that the dataplane segments itself
   * @param wanOffload whether ESP to one peer leaves as UDP_SEGMENT super-packets and UDP_GRO
   *     receives are cut apart by the dataplane
   * @param natKeepalive how often a NAT-keepalive (RFC 3948 4) goes to a peer when IKE found us
   *     behind a NAT, so the NAT keeps the mapping of our UDP 4500 flow
   */
  public record Gateway(
      String name,
      InetAddress publicAddress,
      List<IpPrefix> vnetPrefixes,
      String tunnelInterface,
      int wanMtu,
      int workers,
      Path runDirectory,
      Path keyLogDirectory,
      int ikeCookieThreshold,
      boolean tunOffload,
      boolean wanOffload,
      Duration natKeepalive) {}

  /**
   * An on-premises site.
   *
   * @param name its name, referenced by connections
   * @param gatewayAddress the site's VPN device's public address
   * @param addressPrefixes the site's address space
   */
  public record LocalNetworkGateway(
      String name, InetAddress gatewayAddress, List<IpPrefix> addressPrefixes) {}

  /**
   * A Site-to-Site connection.
   *
   * @param name the connection's name (counters, status, logs)
   * @param localNetworkGateway the site it connects to
   * @param udpEncapsulation ESP inside UDP port 4500 (RFC 3948) always; otherwise plain IP protocol
   *     50, unless IKE finds a NAT
   * @param manualKeys static SAs, or null when IKE negotiates them
   * @param ike the IKEv2 settings, or null for manual keys
   */
  public record Connection(
      String name,
      LocalNetworkGateway localNetworkGateway,
      boolean udpEncapsulation,
      ManualKeys manualKeys,
      dev.vpngw.ikev2.config.IkeConnectionConfig ike) {}

  /**
   * Static keys for one connection, as {@code ip xfrm state} would take them.
   *
   * @param outbound the SA we send with
   * @param inbound the SA we receive with
   * @param esn extended (64-bit) sequence numbers on both
   * @param replayWindow anti-replay window in packets for the inbound SA
   */
  public record ManualKeys(ManualSa outbound, ManualSa inbound, boolean esn, int replayWindow) {}

  /**
   * One manual SA.
   *
   * @param spi its SPI
   * @param suite its transforms
   * @param key encryption key material (for AEAD/GMAC: key then 4-byte salt)
   * @param integrityKey the HMAC key for CBC suites, empty otherwise
   */
  public record ManualSa(int spi, EspSuite suite, byte[] key, byte[] integrityKey) {
    /** Never prints key bytes. */
    @Override
    public String toString() {
      return String.format("ManualSa[spi=0x%08x, suite=%s]", spi, EspProposal.format(suite));
    }
  }
}
