package dev.vpngw.ha.vip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The address takeover against the kernel of a neighbour: a veth whose near end (in this test's
 * namespace) the {@link VipOwner} takes the address on, and whose far end is in a namespace of its
 * own. The neighbour's kernel is the oracle: it only replaces a cached link-layer address on a
 * well-formed announcement (ARP; for IPv6 a neighbour advertisement with a valid checksum, hop
 * limit 255 and the override flag).
 */
@Tag("system")
class VipOwnerSystemTest {
  final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
  final String ns = "vipn" + tag;
  final String near = "vip" + tag;
  String mac;

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  static String in(String ns, String command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    argv.addAll(List.of(command.split(" ")));
    return run(argv.toArray(String[]::new));
  }

  static void await(String what, long millis, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + millis + " ms waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  @BeforeEach
  void link() throws Exception {
    run("ip", "netns", "add", ns);
    run("ip", "link", "add", near, "type", "veth", "peer", "name", "far0", "netns", ns);
    run("ip", "link", "set", near, "up");
    in(ns, "ip link set far0 up");
    in(ns, "ip address add 10.79.0.2/24 dev far0");
    in(ns, "ip address add fd00:79::2/64 dev far0 nodad");
    mac = Files.readString(java.nio.file.Path.of("/sys/class/net", near, "address")).strip();
  }

  @AfterEach
  void cleanUp() throws Exception {
    new ProcessBuilder("ip", "link", "del", near).start().waitFor(10, TimeUnit.SECONDS);
    new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
  }

  boolean neighbourHas(String family, String address, String lladdr) {
    try {
      return in(ns, "ip " + family + " neigh show " + address + " dev far0").contains(lladdr);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  boolean nearHas(String address) {
    try {
      return run("ip", "-o", "address", "show", "dev", near).contains(address + "/");
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void ipv4GratuitousArpRepointsTheNeighboursCache() throws Exception {
    in(ns, "ip neigh replace 10.79.0.100 lladdr 02:00:00:00:00:99 dev far0 nud stale");
    try (VipOwner owner = new VipOwner(near, InetAddress.getByName("10.79.0.100"), 24, 30)) {
      owner.acquire();
      assertTrue(nearHas("10.79.0.100"));
      await(
          "the neighbour's ARP cache points at us",
          5_000,
          () -> neighbourHas("-4", "10.79.0.100", mac));
      owner.release();
      assertTrue(!nearHas("10.79.0.100"));
      owner.release(); // releasing what is not held is not an error
    }
  }

  @Test
  void ipv6UnsolicitedAdvertisementRepointsTheNeighboursCache() throws Exception {
    in(ns, "ip -6 neigh replace fd00:79::100 lladdr 02:00:00:00:00:99 dev far0 nud stale");
    try (VipOwner owner = new VipOwner(near, InetAddress.getByName("fd00:79::100"), 64, 30)) {
      owner.acquire();
      assertTrue(nearHas("fd00:79::100"));
      await(
          "the neighbour's cache points at us (the kernel accepted our NA)",
          5_000,
          () -> neighbourHas("-6", "fd00:79::100", mac));
      owner.release();
      assertTrue(!nearHas("fd00:79::100"));
    }
  }

  @Test
  void anUnrenewedLeaseIsDroppedByTheKernel() throws Exception {
    try (VipOwner owner = new VipOwner(near, InetAddress.getByName("10.79.0.101"), 24, 1)) {
      owner.acquire();
      assertTrue(nearHas("10.79.0.101"));
      await("the kernel expired the address", 5_000, () -> !nearHas("10.79.0.101"));
    }
  }
}
