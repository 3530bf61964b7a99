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
 * @param monitoring the Prometheus endpoint and the event journal
 * @param expressRouteCircuits the private circuits an ExpressRoute gateway is bound to (empty for a
 *     Vpn gateway)
 */
public record GatewayConfig(
    Gateway gateway,
    List<LocalNetworkGateway> localNetworkGateways,
    List<Connection> connections,
    MonitoringConfig monitoring,
    List<ExpressRouteCircuit> expressRouteCircuits) {

  /**
   * A private circuit (ExpressRoute): a routed link from the gateway's namespace to the on-premises
   * edge, whose prefixes the gateway routes over it, in preference to a VPN's, while a liveness
   * probe finds it alive.
   *
   * @param name the circuit's name (logs)
   * @param device the gateway's interface on the circuit
   * @param peerAddress the on-premises edge's address on the circuit: next hop and echo target
   * @param addressPrefixes the on-premises prefixes learnt over the circuit (given here, standing
   *     for the routes BGP would bring)
   * @param liveness the echo probe
   */
  public record ExpressRouteCircuit(
      String name,
      String device,
      InetAddress peerAddress,
      List<IpPrefix> addressPrefixes,
      Liveness liveness) {}

  /**
   * The circuit's liveness probe, BFD's echo function in spirit (RFC 5880 6.4): a UDP datagram
   * every {@code interval} that the far end sends back; {@code multiplier} intervals without an
   * answer declare the circuit down, {@code multiplier} answers in a row bring it up.
   *
   * @param interval time between probes
   * @param multiplier the detection multiplier
   * @param port the far end's UDP port (BFD echo's 3785 by default)
   */
  public record Liveness(Duration interval, int multiplier, int port) {}

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
   * @param gatewayType Vpn (IPsec) or ExpressRoute (a private circuit)
   * @param vpnType RouteBased (any-to-any selectors, routes decide) or PolicyBased
   * @param sku the size: limits on tunnels and P2S clients, and the aggregate bandwidth; null when
   *     none is given (the appliance is then held to no cloud SKU's limits, as before SKUs existed)
   * @param activeActive both gateway VMs carry traffic, each with its own public address
   * @param secondaryPublicAddress the second VM's public address (active-active), or null
   * @param gatewaySubnet the GatewaySubnet inside the virtual network the gateway VMs sit in, or
   *     null
   * @param api where the management API listens and its token
   * @param natKeepalive how often a NAT-keepalive (RFC 3948 4) goes to a peer when IKE found us
   *     behind a NAT, so the NAT keeps the mapping of our UDP 4500 flow
   * @param gatewayDefaultSite forced tunneling: the local network gateway whose connection carries
   *     the virtual network's default route (0.0.0.0/0 and ::/0), or null for none
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
      GatewayType gatewayType,
      VpnType vpnType,
      Sku sku,
      boolean activeActive,
      InetAddress secondaryPublicAddress,
      IpPrefix gatewaySubnet,
      Api api,
      Duration natKeepalive,
      String gatewayDefaultSite) {}

  /** The kind of virtual network gateway. */
  public enum GatewayType {
    /** An IPsec VPN gateway: S2S, multi-site, VNet-to-VNet (and later P2S). */
    Vpn,
    /** A gateway to a private circuit (ExpressRoute); its connections are not carried yet. */
    ExpressRoute
  }

  /** How a VPN gateway picks the tunnel for a packet. */
  public enum VpnType {
    /** Any-to-any selectors may be negotiated; the routing table (longest prefix) decides. */
    RouteBased,
    /** Traffic selectors are the prefixes themselves; one connection (as the cloud's Basic). */
    PolicyBased
  }

  /** The kind of a connection. */
  public enum ConnectionType {
    /** Site-to-Site to an on-premises VPN device. */
    IPsec,
    /** To another virtual network's gateway (another of ours): IKEv2 only. */
    Vnet2Vnet,
    /** To an ExpressRoute circuit; refused until circuits are carried. */
    ExpressRoute
  }

  /**
   * The management API (HTTP+JSON).
   *
   * @param address the address it binds to (loopback by default)
   * @param port its TCP port, 0 for no API
   * @param tokenFile the file holding the bearer token (created 0600 on first start if missing)
   */
  public record Api(InetAddress address, int port, Path tokenFile) {}

  /**
   * Optional BGP settings of a site, accepted and stored for the BGP work to come.
   *
   * @param asn the site's autonomous system number
   * @param peeringAddress the address its BGP speaker peers from
   */
  public record BgpSettings(long asn, InetAddress peeringAddress) {}

  /**
   * An on-premises site.
   *
   * @param name its name, referenced by connections
   * @param gatewayAddress the site's VPN device's public address (resolved from {@code fqdn} when
   *     the site is given by name)
   * @param addressPrefixes the site's address space
   * @param fqdn the device's DNS name, or null when given by address
   * @param bgpSettings BGP settings (stored, not used yet), or null
   */
  public record LocalNetworkGateway(
      String name,
      InetAddress gatewayAddress,
      List<IpPrefix> addressPrefixes,
      String fqdn,
      BgpSettings bgpSettings) {}

  /**
   * A Site-to-Site connection.
   *
   * @param name the connection's name (counters, status, logs)
   * @param localNetworkGateway the site it connects to
   * @param udpEncapsulation ESP inside UDP port 4500 (RFC 3948) always; otherwise plain IP protocol
   *     50, unless IKE finds a NAT
   * @param manualKeys static SAs, or null when IKE negotiates them
   * @param ike the IKEv2 settings, or null for manual keys
   * @param connectionType IPsec (S2S) or Vnet2Vnet
   * @param routingWeight the preference among connections to the same prefixes (0..32000), stored
   *     for route selection across connections
   */
  public record Connection(
      String name,
      LocalNetworkGateway localNetworkGateway,
      boolean udpEncapsulation,
      ManualKeys manualKeys,
      dev.vpngw.ikev2.config.IkeConnectionConfig ike,
      ConnectionType connectionType,
      int routingWeight) {}

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
