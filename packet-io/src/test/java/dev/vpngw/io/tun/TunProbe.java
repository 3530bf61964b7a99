package dev.vpngw.io.tun;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.batch.PacketBatch;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.Poller;
import dev.vpngw.io.sys.SockAddr;
import dev.vpngw.packet.GsoSegmenter;
import dev.vpngw.packet.InternetChecksum;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Run by {@link TunSystemTest} in a JVM inside a fresh network namespace (so the devices, addresses
 * and routes it makes vanish with the namespace). It opens TUN devices, configures them with {@link
 * LinkConfig}, injects ICMP echo requests addressed to the device's own address, and reads the
 * kernel's echo replies back out of the device; it prints one {@code KEY value} line per finding
 * for the test to check, and exits non-zero on any failure.
 *
 * <p>The kernel also sends packets of its own into a fresh IPv6-enabled device (router
 * solicitations, MLD reports), so replies are picked out by ICMP identifier and sequence.
 */
public final class TunProbe {
  private static final byte[] TUN_V4 = {10, 99, 0, 1};
  private static final byte[] PEER_V4 = {10, 99, 0, 2};
  private static final byte[] ROUTED_V4 = {10, 98, 0, 5};
  private static final byte[] TUN_V6 = v6(0x01);
  private static final byte[] PEER_V6 = v6(0x02);
  private static final int ICMP_ID = 0x5a17;
  private static final int ECHO_DATA = 32;
  private static final long WAIT_MILLIS = 10_000;

  /** {@code UDP_SEGMENT} (linux/udp.h): a send is cut into datagrams of this many bytes. */
  private static final int UDP_SEGMENT = 103;

  /** The argument that makes the probe only try to create a device and print the error. */
  static final String UNPRIVILEGED = "unprivileged";

  private TunProbe() {}

  /**
   * Runs every check, or with {@link #UNPRIVILEGED} only tries to create a device (in a process
   * whose capabilities were dropped) and prints the error.
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(UNPRIVILEGED)) {
      try (TunDevice tun = TunDevice.open("vpngwnp0", 1)) {
        print(UNPRIVILEGED.toUpperCase(java.util.Locale.ROOT), "opened " + tun.name());
      } catch (NativeIOException e) {
        print(UNPRIVILEGED.toUpperCase(java.util.Locale.ROOT), e.getMessage());
      }
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      PacketBuffer buf = PacketBuffer.allocate(arena, 4096);
      singleQueue(buf);
      multiQueue(arena, buf);
      offloads(arena, buf);
    }
    System.out.println("DONE");
  }

  /** A plain device: flags, IPv6 echo, route add/delete, and the device going with its fd. */
  private static void singleQueue(PacketBuffer buf) throws Exception {
    String name;
    try (TunDevice tun = TunDevice.open("vpngwsq%d", 1)) {
      name = tun.name();
      print("SQ_NAME", name);
      print("SQ_MULTI", tun.isMultiQueue());
      print("SQ_FLAGS", sysfs(name, "tun_flags"));
      print("SQ_IFINDEX_MATCHES", Integer.toString(tun.ifIndex()).equals(sysfs(name, "ifindex")));
      LinkConfig.setMtu(name, 1400);
      LinkConfig.addAddress(name, "10.99.0.1/24");
      LinkConfig.addAddress(name, "fd00:99::1/64");
      LinkConfig.up(name);
      print("SQ_MTU", sysfs(name, "mtu"));

      TunQueue q = tun.queue(0);
      int length = echoRequestV6(buf, 0, PEER_V6, TUN_V6, 1);
      print("SQ_WRITE6", q.write(buf, 0, length));
      // IPv6 may drop the first request while the new address is still being brought up (on a
      // loaded machine): the request goes again every second until a reply comes.
      print("SQ_ECHO6", awaitReply(tun, buf, 1, true, q, length));

      length = echoRequestV4(buf, 0, PEER_V4, TUN_V4, 2);
      print("SQ_WRITE4", q.write(buf, 0, length));
      print("SQ_ECHO4", awaitReply(tun, buf, 2, false));

      // A source outside the device's /24 gets its reply only through a route into the device.
      LinkConfig.addRoute("10.98.0.0/24", name);
      length = echoRequestV4(buf, 0, ROUTED_V4, TUN_V4, 3);
      q.write(buf, 0, length);
      print("SQ_ROUTED", awaitReply(tun, buf, 3, false));
      LinkConfig.deleteRoute("10.98.0.0/24", name);
      print(
          "SQ_ROUTE_AFTER_DELETE",
          "[" + command("ip", "-4", "route", "show", "10.98.0.0/24") + "]");

      try (TunDevice other = TunDevice.open(name, 2)) {
        print("SQ_MISMATCH", "opened " + other.name());
      } catch (NativeIOException e) {
        print("SQ_MISMATCH", e.getMessage());
      }
    }
    print("SQ_GONE", !Files.exists(Path.of("/sys/class/net", name)));
  }

  /** Two queues: both fds live, writes through either, replies read with a batch from either. */
  private static void multiQueue(Arena arena, PacketBuffer buf) throws Exception {
    try (TunDevice tun = TunDevice.open("vpngwmq0", 2)) {
      String name = tun.name();
      print("MQ_NAME", name);
      print("MQ_MULTI", tun.isMultiQueue());
      print("MQ_QUEUES", tun.queueCount());
      print("MQ_FLAGS", sysfs(name, "tun_flags"));
      print("MQ_DISTINCT_FDS", tun.queue(0).fd() != tun.queue(1).fd());
      print("MQ_TX_QUEUES", countEntries(name, "tx-"));
      LinkConfig.addAddress(name, "10.97.0.1/24");
      LinkConfig.up(name);

      int length = echoRequestV4(buf, 0, new byte[] {10, 97, 0, 2}, new byte[] {10, 97, 0, 1}, 7);
      print("MQ_WRITE_Q1", tun.queue(1).write(buf, 0, length));
      print("MQ_ECHO4", awaitReply(tun, buf, 7, false));

      // Three requests in one writeBatch, three replies collected with readBatch.
      PacketBatch out = new PacketBatch(arena, 3, 256, 0);
      for (int i = 0; i < 3; i++) {
        PacketBuffer slot = out.buffer();
        int len =
            echoRequestV4(
                slot,
                out.dataOffset(i),
                new byte[] {10, 97, 0, 2},
                new byte[] {10, 97, 0, 1},
                10 + i);
        out.length(i, len);
      }
      out.count(3);
      print("MQ_WRITE_BATCH", tun.queue(0).writeBatch(out, 0, 3));
      PacketBatch in = new PacketBatch(arena, 8, 2048, 64);
      print("MQ_BATCH_REPLIES", collectBatchReplies(tun, in, 10, 3));
    }
  }

  /**
   * Two queues with offloads: writes go out behind a zero vnet header and replies come back behind
   * one, on either queue; a UDP_SEGMENT send routed into the device arrives as one UDP super-packet
   * that {@link GsoSegmenter} cuts into datagrams with valid checksums.
   */
  private static void offloads(Arena arena, PacketBuffer buf) throws Exception {
    try (TunDevice tun = TunDevice.open("vpngwof0", 2, true)) {
      String name = tun.name();
      print("OF_FLAGS", sysfs(name, "tun_flags"));
      int offloads = tun.offloads();
      print(
          "OF_TCP",
          (offloads & (TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6))
              == (TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6));
      boolean uso = (offloads & TunDevice.TUN_F_USO4) != 0;
      print("OF_USO", uso);
      print("OF_VNET", tun.queue(0).vnetHeaderLength() + " " + tun.queue(1).vnetHeaderLength());
      LinkConfig.setMtu(name, 1400);
      LinkConfig.addAddress(name, "10.96.0.1/24");
      LinkConfig.up(name);

      byte[] peer = {10, 96, 0, 2};
      int at = VirtioNetHeader.LENGTH + 6;
      int length = echoRequestV4(buf, at, peer, new byte[] {10, 96, 0, 1}, 30);
      print("OF_WRITE_Q1", tun.queue(1).write(buf, at, length));
      print("OF_ECHO4", awaitReply(tun, buf, 30, false));

      if (uso) {
        print("OF_UDP_GSO", udpSuperPacket(arena, tun, peer));
      }
    }
  }

  /**
   * Sends 3500 bytes from a UDP socket with UDP_SEGMENT 1000 to {@code peer} (routed into the
   * device) and describes what one read returned: the vnet header's GSO type and size, and the
   * datagrams {@link GsoSegmenter} cut, each with its UDP length and checksum checked here.
   */
  private static String udpSuperPacket(Arena arena, TunDevice tun, byte[] peer) throws Exception {
    int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP);
    try {
      MemorySegment option = arena.allocate(ValueLayout.JAVA_INT);
      option.set(ValueLayout.JAVA_INT, 0, 1000);
      LibC.setsockopt(fd, LibC.IPPROTO_UDP, UDP_SEGMENT, option.address(), 4, "UDP_SEGMENT");
      PacketBuffer data = PacketBuffer.allocate(arena, 3500 + SockAddr.STORAGE_LENGTH);
      for (int i = 0; i < 3500; i++) {
        data.buffer().putByte(i, (byte) i);
      }
      int addressLength = SockAddr.write(data.buffer(), 3500, peer, 9);
      LibC.sendto(fd, data.address(), 3500, 0, data.address() + 3500, addressLength);
    } finally {
      LibC.close(fd);
    }
    PacketBuffer frame = PacketBuffer.allocate(arena, 70_000);
    Poller poller = poller(tun);
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    VirtioNetHeader vnet = new VirtioNetHeader().wrap(frame.buffer(), 0);
    while (System.currentTimeMillis() < deadline) {
      poller.poll(100);
      for (int q = 0; q < tun.queueCount(); q++) {
        int n;
        while ((n = tun.queue(q).read(frame, 0, 70_000)) > 0) {
          UnsafeBuffer b = frame.buffer();
          int ip = VirtioNetHeader.LENGTH;
          if (((b.getByte(ip) & 0xf0) >>> 4) != 4 || b.getByte(ip + 9) != 17) {
            continue; // not our datagram
          }
          GsoSegmenter segmenter = new GsoSegmenter();
          int segments =
              segmenter.prepare(b, ip, n - ip, vnet.gsoType(), vnet.gsoSize(), vnet.csumStart());
          StringBuilder found =
              new StringBuilder(
                  "type " + vnet.gsoType() + " size " + vnet.gsoSize() + " segments " + segments);
          UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
          for (int i = 0; i < segments; i++) {
            int len = segmenter.writeSegment(i, out, 0);
            int udpLength = out.getShort(20 + 4, BIG_ENDIAN) & 0xffff;
            found.append(udpLength == len - 20 && udpChecksumValid(out, len) ? " ok" : " BAD");
          }
          return found.toString();
        }
      }
    }
    return "none";
  }

  /** A naive RFC 768 check: pseudo-header, header and data sum to all ones. */
  private static boolean udpChecksumValid(UnsafeBuffer b, int length) {
    long sum = 17 + (length - 20);
    for (int i = 12; i < 20; i += 2) {
      sum += b.getShort(i, BIG_ENDIAN) & 0xffff;
    }
    for (int i = 20; i < length; i += 2) {
      int hi = b.getByte(i) & 0xff;
      int lo = i + 1 < length ? b.getByte(i + 1) & 0xff : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return sum == 0xffff;
  }

  /**
   * Waits for the echo reply with {@code sequence} on any queue of {@code tun}; returns a summary
   * of it ("from A to B"), or "none".
   */
  private static String awaitReply(TunDevice tun, PacketBuffer buf, int sequence, boolean ipv6)
      throws IOException {
    return awaitReply(tun, buf, sequence, ipv6, null, 0);
  }

  /**
   * Waits for the echo reply {@code sequence}; with a {@code resendQueue}, writes the request at
   * the start of {@code buf} ({@code requestLength} bytes) again every second meanwhile.
   */
  private static String awaitReply(
      TunDevice tun,
      PacketBuffer buf,
      int sequence,
      boolean ipv6,
      TunQueue resendQueue,
      int requestLength)
      throws IOException {
    Poller poller = poller(tun);
    int readAt = 2048;
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    long resendAt = System.currentTimeMillis() + 1_000;
    while (System.currentTimeMillis() < deadline) {
      if (resendQueue != null && System.currentTimeMillis() >= resendAt) {
        resendQueue.write(buf, 0, requestLength);
        resendAt += 1_000;
      }
      poller.poll(100);
      for (int q = 0; q < tun.queueCount(); q++) {
        if (!poller.isReady(q)) {
          continue;
        }
        int n;
        int header = tun.queue(q).vnetHeaderLength();
        while ((n = tun.queue(q).read(buf, readAt, 2048)) > 0) {
          String summary = replySummary(buf.buffer(), readAt + header, n - header, sequence, ipv6);
          if (summary != null) {
            return summary + " queue " + q;
          }
        }
      }
    }
    return "none";
  }

  /** Reads batches from every queue until {@code count} replies from {@code firstSeq} on came. */
  private static String collectBatchReplies(TunDevice tun, PacketBatch in, int firstSeq, int count)
      throws IOException {
    Poller poller = poller(tun);
    List<Integer> seen = new ArrayList<>();
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (seen.size() < count && System.currentTimeMillis() < deadline) {
      poller.poll(100);
      for (int q = 0; q < tun.queueCount(); q++) {
        int n = tun.queue(q).readBatch(in);
        for (int i = 0; i < n; i++) {
          for (int s = firstSeq; s < firstSeq + count; s++) {
            if (in.offset(i) == in.headroom()
                && replySummary(in.buffer().buffer(), in.dataOffset(i), in.length(i), s, false)
                    != null) {
              seen.add(s);
            }
          }
        }
      }
    }
    seen.sort(null);
    return seen.toString();
  }

  private static Poller poller(TunDevice tun) {
    int[] fds = new int[tun.queueCount()];
    for (int q = 0; q < fds.length; q++) {
      fds[q] = tun.queue(q).fd();
    }
    return new Poller(fds);
  }

  /** "from A to B" when the packet is our echo reply with {@code sequence}, else null. */
  private static String replySummary(
      UnsafeBuffer b, int offset, int length, int sequence, boolean ipv6) throws IOException {
    int version = (b.getByte(offset) & 0xff) >>> 4;
    if (!ipv6 && version == 4) {
      Ipv4Header ip = new Ipv4Header().wrap(b, offset);
      int icmp = offset + ip.headerLength();
      if (ip.protocol() == 1
          && length >= ip.headerLength() + 8 + ECHO_DATA
          && b.getByte(icmp) == 0 // echo reply (RFC 792)
          && b.getShort(icmp + 4, BIG_ENDIAN) == ICMP_ID
          && b.getShort(icmp + 6, BIG_ENDIAN) == sequence
          && echoDataIntact(b, icmp + 8)) {
        return "from "
            + java.net.InetAddress.getByAddress(bytes(b, offset + Ipv4Header.SOURCE_OFFSET, 4))
                .getHostAddress()
            + " to "
            + java.net.InetAddress.getByAddress(bytes(b, offset + Ipv4Header.DESTINATION_OFFSET, 4))
                .getHostAddress();
      }
    }
    if (ipv6 && version == 6) {
      int icmp = offset + Ipv6Header.LENGTH;
      if (b.getByte(offset + Ipv6Header.NEXT_HEADER_OFFSET) == 58
          && length >= Ipv6Header.LENGTH + 8 + ECHO_DATA
          && (b.getByte(icmp) & 0xff) == 129 // echo reply (RFC 4443 4.2)
          && b.getShort(icmp + 4, BIG_ENDIAN) == ICMP_ID
          && b.getShort(icmp + 6, BIG_ENDIAN) == sequence
          && echoDataIntact(b, icmp + 8)) {
        return "from "
            + java.net.InetAddress.getByAddress(bytes(b, offset + Ipv6Header.SOURCE_OFFSET, 16))
                .getHostAddress()
            + " to "
            + java.net.InetAddress.getByAddress(
                    bytes(b, offset + Ipv6Header.DESTINATION_OFFSET, 16))
                .getHostAddress();
      }
    }
    return null;
  }

  /** An IPv4 ICMP echo request (RFC 792) at {@code offset}; returns its length. */
  static int echoRequestV4(PacketBuffer buf, int offset, byte[] src, byte[] dst, int sequence) {
    UnsafeBuffer b = buf.buffer();
    int icmp = offset + Ipv4Header.MIN_LENGTH;
    int icmpLength = 8 + ECHO_DATA;
    new Ipv4Header()
        .wrap(b, offset)
        .versionAndHeaderLength(Ipv4Header.MIN_LENGTH)
        .tos(0)
        .totalLength(Ipv4Header.MIN_LENGTH + icmpLength)
        .identification(sequence)
        .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
        .ttl(64)
        .protocol(1)
        .source(src)
        .destination(dst)
        .updateChecksum();
    writeEcho(b, icmp, 8, sequence);
    b.putShort(
        icmp + 2,
        (short) InternetChecksum.finish(InternetChecksum.add(b, icmp, icmpLength, 0)),
        BIG_ENDIAN);
    return Ipv4Header.MIN_LENGTH + icmpLength;
  }

  /** An ICMPv6 echo request (RFC 4443 4.1), checksummed over the RFC 8200 8.1 pseudo-header. */
  static int echoRequestV6(PacketBuffer buf, int offset, byte[] src, byte[] dst, int sequence) {
    UnsafeBuffer b = buf.buffer();
    int icmp = offset + Ipv6Header.LENGTH;
    int icmpLength = 8 + ECHO_DATA;
    new Ipv6Header()
        .wrap(b, offset)
        .versionClassFlow(0, 0)
        .payloadLength(icmpLength)
        .nextHeader(58)
        .hopLimit(64)
        .source(src)
        .destination(dst);
    writeEcho(b, icmp, 128, sequence);
    long sum = InternetChecksum.add(b, offset + Ipv6Header.SOURCE_OFFSET, 32, 0);
    sum += icmpLength + 58;
    sum = InternetChecksum.add(b, icmp, icmpLength, sum);
    b.putShort(icmp + 2, (short) InternetChecksum.finish(sum), BIG_ENDIAN);
    return Ipv6Header.LENGTH + icmpLength;
  }

  private static void writeEcho(UnsafeBuffer b, int icmp, int type, int sequence) {
    b.putByte(icmp, (byte) type);
    b.putByte(icmp + 1, (byte) 0);
    b.putShort(icmp + 2, (short) 0);
    b.putShort(icmp + 4, (short) ICMP_ID, BIG_ENDIAN);
    b.putShort(icmp + 6, (short) sequence, BIG_ENDIAN);
    for (int i = 0; i < ECHO_DATA; i++) {
      b.putByte(icmp + 8 + i, (byte) (0xa0 + i));
    }
  }

  private static boolean echoDataIntact(UnsafeBuffer b, int at) {
    for (int i = 0; i < ECHO_DATA; i++) {
      if (b.getByte(at + i) != (byte) (0xa0 + i)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(UnsafeBuffer b, int offset, int length) {
    byte[] out = new byte[length];
    b.getBytes(offset, out);
    return out;
  }

  private static byte[] v6(int last) {
    byte[] a = new byte[16];
    a[0] = (byte) 0xfd;
    a[3] = (byte) 0x99;
    a[15] = (byte) last;
    return a;
  }

  private static String sysfs(String device, String attribute) throws IOException {
    return Files.readString(Path.of("/sys/class/net", device, attribute)).strip();
  }

  private static long countEntries(String device, String prefix) throws IOException {
    try (var entries = Files.list(Path.of("/sys/class/net", device, "queues"))) {
      return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
    }
  }

  private static String command(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor();
    return out;
  }

  private static void print(String key, Object value) {
    System.out.println(key + " " + value);
  }
}
