package dev.vpngw.ikev2.proposal;

import dev.vpngw.ikev2.message.TrafficSelectorEntry;
import dev.vpngw.selector.TrafficSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Traffic selector narrowing (RFC 7296 2.9): the responder answers with the parts of the
 * initiator's selectors that its own policy allows, and the conversion between the wire's entries
 * and the dataplane's selectors.
 */
public final class TsNarrowing {
  private TsNarrowing() {}

  /**
   * Every non-empty intersection of one of {@code offered} with one of {@code allowed}, without
   * duplicates; empty when nothing is left (the caller answers TS_UNACCEPTABLE).
   */
  public static List<TrafficSelector> narrow(
      List<TrafficSelector> offered, List<TrafficSelector> allowed) {
    List<TrafficSelector> out = new ArrayList<>();
    for (TrafficSelector o : offered) {
      for (TrafficSelector a : allowed) {
        TrafficSelector i = intersect(o, a);
        if (i != null && !out.contains(i)) {
          out.add(i);
        }
      }
    }
    return out;
  }

  /** Whether every selector of {@code narrowed} lies inside one of {@code offered}. */
  public static boolean subset(List<TrafficSelector> narrowed, List<TrafficSelector> offered) {
    for (TrafficSelector n : narrowed) {
      boolean inside = false;
      for (TrafficSelector o : offered) {
        TrafficSelector i = intersect(n, o);
        if (n.equals(i)) {
          inside = true;
          break;
        }
      }
      if (!inside) {
        return false;
      }
    }
    return true;
  }

  /** The intersection of two selectors, or null when they do not overlap. */
  public static TrafficSelector intersect(TrafficSelector a, TrafficSelector b) {
    if (a.isIpv6() != b.isIpv6()) {
      return null;
    }
    int protocol;
    if (a.protocol() == 0 || b.protocol() == 0 || a.protocol() == b.protocol()) {
      protocol = Math.max(a.protocol(), b.protocol());
    } else {
      return null;
    }
    if (a.isOpaquePort() || b.isOpaquePort()) {
      return null; // OPAQUE only matches itself; we never configure it
    }
    int startPort = Math.max(a.startPort(), b.startPort());
    int endPort = Math.min(a.endPort(), b.endPort());
    if (startPort > endPort) {
      return null;
    }
    byte[] start = max(a.startAddress(), b.startAddress());
    byte[] end = min(a.endAddress(), b.endAddress());
    if (Arrays.compareUnsigned(start, end) > 0) {
      return null;
    }
    return TrafficSelector.range(start, end, protocol, startPort, endPort);
  }

  private static byte[] max(byte[] x, byte[] y) {
    return Arrays.compareUnsigned(x, y) >= 0 ? x : y;
  }

  private static byte[] min(byte[] x, byte[] y) {
    return Arrays.compareUnsigned(x, y) <= 0 ? x : y;
  }

  /** The wire form of a selector (RFC 7296 3.13.1). */
  public static TrafficSelectorEntry entry(TrafficSelector ts) {
    return new TrafficSelectorEntry(
        ts.type(), ts.protocol(), ts.startPort(), ts.endPort(), ts.startAddress(), ts.endAddress());
  }

  /** The wire form of a list of selectors. */
  public static List<TrafficSelectorEntry> entries(List<TrafficSelector> list) {
    return list.stream().map(TsNarrowing::entry).toList();
  }

  /**
   * The selectors of a received TS payload; an entry the dataplane cannot represent is an error for
   * the caller to answer.
   *
   * @throws IllegalArgumentException for a malformed range
   */
  public static List<TrafficSelector> selectors(List<TrafficSelectorEntry> entries) {
    List<TrafficSelector> out = new ArrayList<>();
    for (TrafficSelectorEntry e : entries) {
      out.add(
          TrafficSelector.range(
              e.startAddress(), e.endAddress(), e.ipProtocol(), e.startPort(), e.endPort()));
    }
    return out;
  }
}
