package dev.vpngw.appliance.capture;

import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.fib.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code gateway capture} captures for one connection: the device and the kernel (BPF) filter.
 * Outer: the connection's ESP and IKE on the WAN, i.e. packets to or from its peer that are ESP
 * (protocol 50) or UDP 500/4500. Inner: the connection's plaintext on the gateway's TUN device,
 * i.e. packets to or from the site's address prefixes. The capture itself is dumpcap's, next to the
 * running dataplane, which it never stops or slows beyond the kernel's copy to the capture socket.
 *
 * @param device the interface to capture on
 * @param filter the capture filter (pcap-filter(7) syntax)
 */
public record CapturePlan(String device, String filter) {
  /** The plan for the connection's ESP and IKE on {@code wanDevice}. */
  public static CapturePlan outer(GatewayConfig.Connection c, String wanDevice) {
    String peer = c.localNetworkGateway().gatewayAddress().getHostAddress();
    return new CapturePlan(
        wanDevice,
        "host " + peer + " and (ip proto 50 or ip6 proto 50 or udp port 500 or udp port 4500)");
  }

  /** The plan for the connection's inner packets on the gateway's TUN device. */
  public static CapturePlan inner(GatewayConfig config, GatewayConfig.Connection c) {
    List<String> nets = new ArrayList<>();
    for (IpPrefix p : c.localNetworkGateway().addressPrefixes()) {
      nets.add("net " + p);
    }
    return new CapturePlan(config.gateway().tunnelInterface(), String.join(" or ", nets));
  }

  /**
   * The lines of a Wireshark {@code esp_sa} table (the gateway's key log) that belong to a peer:
   * those whose source or destination is its address; comments and other peers' SAs are left out.
   */
  public static List<String> espSaLines(List<String> keyLog, InetAddress peer) {
    String address = "\"" + peer.getHostAddress() + "\"";
    List<String> out = new ArrayList<>();
    for (String line : keyLog) {
      String[] f = line.split(",", -1);
      if (!line.startsWith("#")
          && f.length >= 3
          && (f[1].equals(address) || f[2].equals(address))) {
        out.add(line);
      }
    }
    return out;
  }
}
