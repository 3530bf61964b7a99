package dev.vpngw.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpngw.fib.Fib;
import dev.vpngw.selector.SelectorSet;
import java.net.InetAddress;
import java.util.List;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The outbound choice among a connection's child SAs when there is one per pair of prefixes (RFC
 * 7296 2.9): the route names a child by destination; a packet whose source is outside that child's
 * local selector goes to the sibling whose selectors cover source and destination.
 */
class RoutingStateTest {
  private static TunnelInfo tunnel(int id, String name, String local, String remote)
      throws Exception {
    return new TunnelInfo(
        id,
        name,
        0,
        InetAddress.ofLiteral("192.0.2.2"),
        4500,
        1400,
        true,
        SelectorSet.ofPrefixes(List.of(local), List.of(remote)));
  }

  /** A 20-byte IPv4 header from {@code source} to {@code destination}. */
  private static UnsafeBuffer packet(String source, String destination) {
    UnsafeBuffer b = new UnsafeBuffer(new byte[60]);
    b.putByte(0, (byte) 0x45);
    b.putShort(2, (short) 0x1c00); // total length 28, network order
    b.putByte(9, (byte) 1); // ICMP
    b.putBytes(12, InetAddress.ofLiteral(source).getAddress());
    b.putBytes(16, InetAddress.ofLiteral(destination).getAddress());
    return b;
  }

  @Test
  void aPacketGoesToTheChildWhoseSelectorsCoverItsSource() throws Exception {
    TunnelInfo[] tunnels = {
      tunnel(0, "to-b", "10.1.0.0/25", "10.2.0.0/25"),
      tunnel(1, "to-b", "10.1.0.128/25", "10.2.0.0/25"),
      tunnel(2, "to-c", "10.1.0.0/24", "10.3.0.0/24"),
    };
    RoutingState state =
        new RoutingState(new Fib().snapshot(), tunnels, new int[3], new Int2IntHashMap(-1));
    // Both children route 10.2.0.0/25; the FIB names tunnel 0.
    assertEquals(0, state.outboundTunnel(0, packet("10.1.0.2", "10.2.0.2"), 0, 28));
    assertEquals(1, state.outboundTunnel(0, packet("10.1.0.130", "10.2.0.2"), 0, 28));
    assertEquals(0, state.outboundTunnel(1, packet("10.1.0.2", "10.2.0.2"), 0, 28));
    // No sibling covers it: the routed tunnel stays (its peer decides), as does a lone child.
    assertEquals(0, state.outboundTunnel(0, packet("10.9.0.1", "10.2.0.2"), 0, 28));
    assertEquals(2, state.outboundTunnel(2, packet("10.9.0.1", "10.3.0.2"), 0, 28));
  }
}
