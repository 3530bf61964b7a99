package dev.vpngw.fib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control thread's editable route set, from which it builds {@link Fib.Snapshot}s.
 *
 * <p>A prefix may have several routes, each a (value, weight) pair: the lowest weight wins, a tie
 * goes to the lower value, so the result never depends on the order routes were added. Removing the
 * winner lets the next one take over on the next build: that is how failover to a backup tunnel and
 * weighted routing are expressed. Adding a route whose prefix and value are already present
 * replaces its weight.
 *
 * <p>Not thread-safe: one control thread owns it, and hands its snapshots to {@link Fib#publish}.
 */
public final class FibBuilder {
  /** A route set entry: one prefix, on the 128-bit scale of {@link IpPrefix}. */
  private record Key(boolean ipv6, long high, long low, int length) {}

  /** One candidate route for a prefix. */
  private record Route(int value, int weight) {}

  private final Map<Key, List<Route>> routes = new HashMap<>();

  /** Adds a route of weight 0 for {@code length} bits of {@code prefix} (4 or 16 bytes). */
  public FibBuilder add(byte[] prefix, int length, int value) {
    return add(IpPrefix.of(prefix, length), value, 0);
  }

  /** Adds a route with a weight for {@code length} bits of {@code prefix} (4 or 16 bytes). */
  public FibBuilder add(byte[] prefix, int length, int value, int weight) {
    return add(IpPrefix.of(prefix, length), value, weight);
  }

  /** Adds a route of weight 0. */
  public FibBuilder add(IpPrefix prefix, int value) {
    return add(prefix, value, 0);
  }

  /**
   * Adds a route: packets to {@code prefix} go to tunnel {@code value} unless a route of lower
   * weight (or equal weight and lower value) exists for the same prefix.
   *
   * @param value the tunnel id, at least 0 ({@link Fib#NO_ROUTE} is reserved)
   * @param weight lower is preferred
   * @throws IllegalArgumentException for a negative value
   */
  public FibBuilder add(IpPrefix prefix, int value, int weight) {
    if (value < 0) {
      throw new IllegalArgumentException("route value must be >= 0: " + value);
    }
    List<Route> candidates = routes.computeIfAbsent(key(prefix), k -> new ArrayList<>(1));
    candidates.removeIf(route -> route.value == value);
    candidates.add(new Route(value, weight));
    return this;
  }

  /** Removes every route for {@code length} bits of {@code prefix}; true if there was one. */
  public boolean remove(byte[] prefix, int length) {
    return remove(IpPrefix.of(prefix, length));
  }

  /** Removes the route to {@code value} for {@code length} bits of {@code prefix}. */
  public boolean remove(byte[] prefix, int length, int value) {
    return remove(IpPrefix.of(prefix, length), value);
  }

  /** Removes every route for {@code prefix}; true if there was one. */
  public boolean remove(IpPrefix prefix) {
    return routes.remove(key(prefix)) != null;
  }

  /** Removes the route to {@code value} for {@code prefix}; true if there was one. */
  public boolean remove(IpPrefix prefix, int value) {
    Key key = key(prefix);
    List<Route> candidates = routes.get(key);
    if (candidates == null || !candidates.removeIf(route -> route.value == value)) {
      return false;
    }
    if (candidates.isEmpty()) {
      routes.remove(key);
    }
    return true;
  }

  /** The number of routes, counting every candidate of every prefix. */
  public int size() {
    int size = 0;
    for (List<Route> candidates : routes.values()) {
      size += candidates.size();
    }
    return size;
  }

  /** Builds an immutable table of the winning route of each prefix. */
  public Fib.Snapshot build() {
    int count = routes.size();
    long[][] highs = {new long[count], new long[count]};
    long[][] lows = {new long[count], new long[count]};
    int[][] lengths = {new int[count], new int[count]};
    int[][] values = {new int[count], new int[count]};
    int[] counts = new int[2];
    for (Map.Entry<Key, List<Route>> entry : routes.entrySet()) {
      Key key = entry.getKey();
      int family = key.ipv6 ? 1 : 0;
      int i = counts[family]++;
      highs[family][i] = key.high;
      lows[family][i] = key.low;
      lengths[family][i] = key.length;
      values[family][i] = winner(entry.getValue()).value;
    }
    return new Fib.Snapshot(
        PrefixTrie.build(highs[0], lows[0], lengths[0], values[0], counts[0]),
        PrefixTrie.build(highs[1], lows[1], lengths[1], values[1], counts[1]),
        count);
  }

  private static Route winner(List<Route> candidates) {
    Route best = candidates.get(0);
    for (Route route : candidates) {
      if (route.weight < best.weight || (route.weight == best.weight && route.value < best.value)) {
        best = route;
      }
    }
    return best;
  }

  private static Key key(IpPrefix prefix) {
    return new Key(prefix.isIpv6(), prefix.high(), prefix.low(), prefix.length());
  }
}
