package dev.vpngw.fib;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FibTest {
  /** The naive model: every route in a list, scanned in full for each lookup. */
  private record ModelRoute(IpPrefix prefix, byte[] network, int value, int weight) {}

  private static final class Model {
    final List<ModelRoute> routes = new ArrayList<>();

    void add(IpPrefix prefix, int value, int weight) {
      routes.removeIf(r -> r.prefix.equals(prefix) && r.value == value);
      routes.add(new ModelRoute(prefix, prefix.address(), value, weight));
    }

    int lookup(byte[] address) {
      ModelRoute best = null;
      for (ModelRoute route : routes) {
        if (route.network.length != address.length || !covers(route, address)) {
          continue;
        }
        int length = route.prefix.length();
        int bestLength = best == null ? -1 : best.prefix.length();
        if (length > bestLength
            || (length == bestLength
                && (route.weight < best.weight
                    || (route.weight == best.weight && route.value < best.value)))) {
          best = route;
        }
      }
      return best == null ? Fib.NO_ROUTE : best.value;
    }

    /** Whole bytes first, then the bits of the last partial byte one by one. */
    static boolean covers(ModelRoute route, byte[] address) {
      int length = route.prefix.length();
      for (int i = 0; i < length / 8; i++) {
        if (route.network[i] != address[i]) {
          return false;
        }
      }
      for (int bit = length / 8 * 8; bit < length; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((route.network[bit / 8] & mask) != (address[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private static byte[] v4(String address) {
    return IpPrefix.parse(address).address();
  }

  private static int v4Int(byte[] address) {
    return new UnsafeBuffer(address).getInt(0, BIG_ENDIAN);
  }

  private static int lookup(Fib.Snapshot fib, byte[] address) {
    return address.length == 4
        ? fib.lookupIpv4(v4Int(address))
        : fib.lookupIpv6(new UnsafeBuffer(address), 0);
  }

  private static int lookup(Fib.Snapshot fib, String address) {
    return lookup(fib, IpPrefix.parse(address).address());
  }

  @Test
  void anEmptyTableHasNoRoutes() {
    Fib fib = new Fib();
    assertEquals(Fib.NO_ROUTE, fib.snapshot().lookupIpv4(0x0a000001));
    assertEquals(Fib.NO_ROUTE, fib.snapshot().lookupIpv6(0, 1));
    assertEquals(0, new FibBuilder().build().prefixCount());
  }

  @Test
  void defaultRoutesCatchEverythingOfTheirFamily() {
    Fib.Snapshot fib =
        new FibBuilder().add(IpPrefix.parse("0.0.0.0/0"), 4).add(IpPrefix.parse("::/0"), 6).build();
    assertEquals(4, lookup(fib, "0.0.0.0"));
    assertEquals(4, lookup(fib, "255.255.255.255"));
    assertEquals(4, lookup(fib, "192.0.2.77"));
    assertEquals(6, lookup(fib, "::"));
    assertEquals(6, lookup(fib, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    assertEquals(6, lookup(fib, "2001:db8::1"));
  }

  @Test
  void longestOfOverlappingPrefixesWins() {
    Fib.Snapshot fib =
        new FibBuilder()
            .add(IpPrefix.parse("0.0.0.0/0"), 1)
            .add(IpPrefix.parse("10.0.0.0/8"), 2)
            .add(IpPrefix.parse("10.1.0.0/16"), 3)
            .add(IpPrefix.parse("10.1.2.0/24"), 4)
            .add(IpPrefix.parse("10.1.2.128/25"), 5)
            .add(IpPrefix.parse("10.1.2.3/32"), 6)
            .add(IpPrefix.parse("2001:db8::/32"), 10)
            .add(IpPrefix.parse("2001:db8:1::/48"), 11)
            .add(IpPrefix.parse("2001:db8:1:2::/64"), 12)
            .add(IpPrefix.parse("2001:db8:1:2::1/128"), 13)
            .build();
    assertEquals(1, lookup(fib, "11.0.0.1"));
    assertEquals(2, lookup(fib, "10.200.0.1"));
    assertEquals(3, lookup(fib, "10.1.3.1"));
    assertEquals(4, lookup(fib, "10.1.2.127"));
    assertEquals(5, lookup(fib, "10.1.2.128"));
    assertEquals(5, lookup(fib, "10.1.2.255"));
    assertEquals(6, lookup(fib, "10.1.2.3"));
    assertEquals(4, lookup(fib, "10.1.2.2"));
    assertEquals(Fib.NO_ROUTE, lookup(fib, "2001:db9::1"));
    assertEquals(10, lookup(fib, "2001:db8:2::1"));
    assertEquals(11, lookup(fib, "2001:db8:1:3::1"));
    assertEquals(12, lookup(fib, "2001:db8:1:2::2"));
    assertEquals(13, lookup(fib, "2001:db8:1:2::1"));
    assertEquals(10, fib.prefixCount());
  }

  @Test
  void hostRoutesMatchOnlyTheirHost() {
    Fib.Snapshot fib =
        new FibBuilder()
            .add(v4("192.0.2.1"), 32, 1)
            .add(v4("192.0.2.2"), 32, 2)
            .add(IpPrefix.parse("2001:db8::ffff").address(), 128, 3)
            .build();
    assertEquals(1, lookup(fib, "192.0.2.1"));
    assertEquals(2, lookup(fib, "192.0.2.2"));
    assertEquals(Fib.NO_ROUTE, lookup(fib, "192.0.2.3"));
    assertEquals(Fib.NO_ROUTE, lookup(fib, "192.0.2.0"));
    assertEquals(3, lookup(fib, "2001:db8::ffff"));
    assertEquals(Fib.NO_ROUTE, lookup(fib, "2001:db8::fffe"));
  }

  @Test
  void familiesAreSeparate() {
    // ::/96 and 0.0.0.0/0 have the same bits on the 128-bit scale; they must not meet.
    Fib.Snapshot fib =
        new FibBuilder()
            .add(IpPrefix.parse("0.0.0.0/0"), 1)
            .add(IpPrefix.parse("::/96"), 2)
            .build();
    assertEquals(1, lookup(fib, "0.0.0.1"));
    assertEquals(2, lookup(fib, "::1"));
    assertEquals(Fib.NO_ROUTE, lookup(fib, "1::1"));
  }

  @Test
  void removalUncoversTheShorterPrefix() {
    FibBuilder builder =
        new FibBuilder()
            .add(IpPrefix.parse("10.0.0.0/8"), 1)
            .add(IpPrefix.parse("10.1.0.0/16"), 2)
            .add(IpPrefix.parse("10.1.1.0/24"), 3);
    assertTrue(builder.remove(v4("10.1.0.0"), 16));
    Fib.Snapshot fib = builder.build();
    assertEquals(3, lookup(fib, "10.1.1.1"));
    assertEquals(1, lookup(fib, "10.1.2.1"));
    assertFalse(builder.remove(v4("10.1.0.0"), 16));
    assertTrue(builder.remove(IpPrefix.parse("10.1.1.0/24"), 3));
    assertTrue(builder.remove(IpPrefix.parse("10.0.0.0/8")));
    assertEquals(0, builder.size());
    assertEquals(Fib.NO_ROUTE, lookup(builder.build(), "10.1.1.1"));
  }

  @Test
  void hostBitsAreIgnored() {
    FibBuilder builder = new FibBuilder().add(v4("10.1.2.3"), 8, 7);
    assertEquals(7, lookup(builder.build(), "10.200.0.0"));
    assertTrue(builder.remove(v4("10.9.9.9"), 8));
    assertEquals("10.0.0.0/8", IpPrefix.parse("10.1.2.3/8").toString());
  }

  @Test
  void theLowestWeightWinsThenTheLowerValueAndRemovalFailsOver() {
    IpPrefix site = IpPrefix.parse("172.16.0.0/12");
    FibBuilder builder = new FibBuilder().add(site, 9, 100).add(site, 5, 10).add(site, 7, 10);
    assertEquals(3, builder.size());
    assertEquals(5, lookup(builder.build(), "172.16.1.1"));
    builder.remove(site, 5);
    assertEquals(7, lookup(builder.build(), "172.16.1.1"));
    builder.add(site, 9, 1); // re-adding a route replaces its weight
    assertEquals(9, lookup(builder.build(), "172.16.1.1"));
    assertEquals(2, builder.size());
    builder.remove(site, 9);
    assertEquals(7, lookup(builder.build(), "172.16.1.1"));
    assertFalse(builder.remove(site, 9));
    builder.remove(site, 7);
    assertEquals(Fib.NO_ROUTE, lookup(builder.build(), "172.16.1.1"));
  }

  @Test
  void publishedSnapshotsNeverChange() {
    Fib fib = new Fib();
    FibBuilder builder = new FibBuilder().add(IpPrefix.parse("10.0.0.0/8"), 1);
    fib.publish(builder.build());
    Fib.Snapshot before = fib.snapshot();
    builder.remove(IpPrefix.parse("10.0.0.0/8"));
    builder.add(IpPrefix.parse("10.0.0.0/8"), 2);
    fib.publish(builder.build());
    assertEquals(1, lookup(before, "10.0.0.1"));
    assertEquals(2, lookup(fib.snapshot(), "10.0.0.1"));
    assertSame(fib.snapshot(), fib.snapshot());
  }

  @Test
  void looksUpAPacketsDestinationByItsVersion() {
    Fib.Snapshot fib =
        new FibBuilder()
            .add(IpPrefix.parse("10.1.0.0/16"), 4)
            .add(IpPrefix.parse("2001:db8:1::/48"), 6)
            .build();
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
    buffer.putByte(8, (byte) 0x45);
    buffer.putBytes(8 + 16, v4("10.1.9.9"));
    assertEquals(4, fib.lookupDestination(buffer, 8, 20));
    assertEquals(Fib.NO_ROUTE, fib.lookupDestination(buffer, 8, 19));
    buffer.putByte(8, (byte) 0x60);
    buffer.putBytes(8 + 24, IpPrefix.parse("2001:db8:1::9").address());
    assertEquals(6, fib.lookupDestination(buffer, 8, 40));
    assertEquals(Fib.NO_ROUTE, fib.lookupDestination(buffer, 8, 39));
    assertEquals(Fib.NO_ROUTE, fib.lookupDestination(buffer, 100, 40)); // past the buffer
    buffer.putByte(8, (byte) 0x50);
    assertEquals(Fib.NO_ROUTE, fib.lookupDestination(buffer, 8, 60));
  }

  @Test
  void rejectsNegativeValuesAndBadPrefixes() {
    FibBuilder builder = new FibBuilder();
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[4], 8, -1));
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[4], 33, 1));
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[5], 8, 1));
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[16], 129, 1));
  }

  @Test
  void randomIpv4TablesAgreeWithTheLinearScan() {
    randomTablesAgreeWithTheLinearScan(4, 1000, new Random(791));
  }

  @Test
  void randomIpv6TablesAgreeWithTheLinearScan() {
    randomTablesAgreeWithTheLinearScan(16, 1000, new Random(8200));
  }

  @Test
  void randomTablesSurviveRandomRemovals() {
    for (int bytes : new int[] {4, 16}) {
      Random random = new Random(bytes);
      FibBuilder builder = new FibBuilder();
      Model model = new Model();
      List<IpPrefix> prefixes = randomPrefixes(bytes, 500, random);
      for (IpPrefix prefix : prefixes) {
        int value = random.nextInt(8);
        int weight = random.nextInt(3);
        builder.add(prefix, value, weight);
        model.add(prefix, value, weight);
      }
      for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 40; i++) {
          ModelRoute victim = model.routes.get(random.nextInt(model.routes.size()));
          assertTrue(builder.remove(victim.prefix, victim.value));
          model.routes.remove(victim);
        }
        assertEquals(model.routes.size(), builder.size());
        check(
            builder.build(), model, bytes, model.routes.isEmpty() ? null : prefixes, 5000, random);
      }
    }
  }

  @Test
  void lookupsAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    Random random = new Random(3);
    FibBuilder builder = new FibBuilder();
    for (IpPrefix prefix : randomPrefixes(4, 1000, random)) {
      builder.add(prefix, random.nextInt(100));
    }
    for (IpPrefix prefix : randomPrefixes(16, 1000, random)) {
      builder.add(prefix, random.nextInt(100));
    }
    Fib fib = new Fib();
    fib.publish(builder.build());
    UnsafeBuffer packet = new UnsafeBuffer(new byte[64]);
    packet.putByte(0, (byte) 0x60);
    long sink = 0;
    for (int round = 0; round < 4; round++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100_000; i++) {
        Fib.Snapshot snapshot = fib.snapshot();
        sink += snapshot.lookupIpv4(i * 0x9e3779b9);
        packet.putLong(24, i * 0x9e3779b97f4a7c15L);
        sink += snapshot.lookupDestination(packet, 0, 64);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      if (round == 3) {
        assertEquals(0, allocated, "bytes allocated by 200k lookups (sink " + sink + ")");
      }
    }
  }

  /** Readers racing a publisher only ever see a whole table: the old route or the new one. */
  @Test
  void concurrentReadersSeeWholeTables() throws Exception {
    Fib fib = new Fib();
    IpPrefix site = IpPrefix.parse("10.1.0.0/16");
    fib.publish(new FibBuilder().add(site, 1).build());
    AtomicReference<String> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              for (int i = 0; i < 2_000_000 && failure.get() == null; i++) {
                Fib.Snapshot snapshot = fib.snapshot();
                int a = snapshot.lookupIpv4(0x0a01_0101);
                int b = snapshot.lookupIpv4(0x0a01_0202);
                if (a != b || (a != 1 && a != 2)) {
                  failure.set("saw " + a + " and " + b + " in one snapshot");
                }
              }
            });
    reader.start();
    for (int i = 0; reader.isAlive(); i++) {
      fib.publish(
          new FibBuilder().add(site, 1 + (i & 1)).add(IpPrefix.parse("0.0.0.0/0"), 9).build());
    }
    reader.join();
    assertEquals(null, failure.get());
  }

  private static void randomTablesAgreeWithTheLinearScan(int bytes, int routes, Random random) {
    FibBuilder builder = new FibBuilder();
    Model model = new Model();
    List<IpPrefix> prefixes = randomPrefixes(bytes, routes, random);
    for (IpPrefix prefix : prefixes) {
      int value = random.nextInt(1000);
      int weight = random.nextInt(4);
      builder.add(prefix, value, weight);
      model.add(prefix, value, weight);
    }
    check(builder.build(), model, bytes, prefixes, 100_000, random);
  }

  /** Half the addresses fully random, half inside a random table prefix (so long ones are hit). */
  private static void check(
      Fib.Snapshot fib, Model model, int bytes, List<IpPrefix> near, int lookups, Random random) {
    for (int i = 0; i < lookups; i++) {
      byte[] address = new byte[bytes];
      random.nextBytes(address);
      if (near != null && random.nextBoolean()) {
        IpPrefix prefix = near.get(random.nextInt(near.size()));
        byte[] network = prefix.address();
        for (int bit = 0; bit < prefix.length(); bit++) {
          int mask = 0x80 >>> (bit % 8);
          address[bit / 8] = (byte) ((address[bit / 8] & ~mask) | (network[bit / 8] & mask));
        }
      }
      int expected = model.lookup(address);
      assertEquals(
          expected, lookup(fib, address), () -> "lookup of " + IpPrefix.of(address, bytes * 8));
    }
  }

  /**
   * Prefixes that nest and overlap a lot: a few random base addresses, each cut at random lengths
   * and perturbed below the cut, plus some fully random ones and the default route.
   */
  private static List<IpPrefix> randomPrefixes(int bytes, int count, Random random) {
    int bits = bytes * 8;
    byte[][] bases = new byte[40][bytes];
    for (byte[] base : bases) {
      random.nextBytes(base);
    }
    List<IpPrefix> prefixes = new ArrayList<>();
    prefixes.add(IpPrefix.of(new byte[bytes], 0));
    while (prefixes.size() < count) {
      byte[] address = bases[random.nextInt(bases.length)].clone();
      if (random.nextInt(10) == 0) {
        random.nextBytes(address);
      }
      int length = random.nextInt(4) == 0 ? bits : random.nextInt(bits + 1);
      int flip = random.nextInt(bits);
      if (flip >= length / 2) {
        address[flip / 8] ^= (byte) (0x80 >>> (flip % 8));
      }
      prefixes.add(IpPrefix.of(address, length));
    }
    return prefixes;
  }
}
