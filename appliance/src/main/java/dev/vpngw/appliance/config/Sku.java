package dev.vpngw.appliance.config;

/**
 * The gateway SKUs and their limits, the cloud's documented figures (MISSION.md): Site-to-Site
 * tunnels, Point-to-Site clients (IKEv2 and SSTP) and the aggregate bandwidth all tunnels share.
 * The tunnel limit is checked when connections are added; the bandwidth figure is what the SKU rate
 * limiter enforces.
 */
public enum Sku {
  /** Legacy; no IKEv2 P2S, no active-active; a PolicyBased gateway has one tunnel. */
  Basic(10, 0, 128, 100),
  /** 650 Mbps. */
  VpnGw1(30, 250, 128, 650),
  /** 1 Gbps. */
  VpnGw2(30, 500, 128, 1_000),
  /** 1.25 Gbps. */
  VpnGw3(30, 1_000, 128, 1_250),
  /** 5 Gbps. */
  VpnGw4(100, 5_000, 128, 5_000),
  /** 10 Gbps. */
  VpnGw5(100, 10_000, 128, 10_000);

  private final int s2sTunnels;
  private final int p2sIkev2Clients;
  private final int p2sSstpClients;
  private final long bandwidthMbps;

  Sku(int s2sTunnels, int p2sIkev2Clients, int p2sSstpClients, long bandwidthMbps) {
    this.s2sTunnels = s2sTunnels;
    this.p2sIkev2Clients = p2sIkev2Clients;
    this.p2sSstpClients = p2sSstpClients;
    this.bandwidthMbps = bandwidthMbps;
  }

  /** Site-to-Site (and VNet-to-VNet) tunnels at most. */
  public int s2sTunnels() {
    return s2sTunnels;
  }

  /** IKEv2 Point-to-Site clients at most (0: none). */
  public int p2sIkev2Clients() {
    return p2sIkev2Clients;
  }

  /** SSTP Point-to-Site clients at most. */
  public int p2sSstpClients() {
    return p2sSstpClients;
  }

  /** The aggregate bandwidth of all tunnels, in Mbit/s. */
  public long bandwidthMbps() {
    return bandwidthMbps;
  }

  /** The aggregate bandwidth in bits per second, for the rate limiter. */
  public long bandwidthBitsPerSecond() {
    return bandwidthMbps * 1_000_000L;
  }
}
