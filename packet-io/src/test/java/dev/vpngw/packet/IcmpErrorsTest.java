package dev.vpngw.packet;

import static dev.vpngw.packet.TestPackets.ICMP;
import static dev.vpngw.packet.TestPackets.ICMPV6;
import static dev.vpngw.packet.TestPackets.UDP;
import static dev.vpngw.packet.TestPackets.bytes;
import static dev.vpngw.packet.TestPackets.checksum;
import static dev.vpngw.packet.TestPackets.concat;
import static dev.vpngw.packet.TestPackets.ipv4;
import static dev.vpngw.packet.TestPackets.ipv6;
import static dev.vpngw.packet.TestPackets.pseudoHeaderSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class IcmpErrorsTest {
  static final byte[] HOST = bytes(10, 0, 0, 5);
  static final byte[] REMOTE = bytes(10, 1, 0, 9);
  static final int GATEWAY = 0x0a00_0001; // 10.0.0.1
  static final byte[] HOST6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5);
  static final byte[] REMOTE6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9);
  static final byte[] GATEWAY6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

  private final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);

  static byte[] udpPayload(int length) {
    byte[] payload = new byte[length];
    new Random(length).nextBytes(payload);
    return payload;
  }

  static byte[] v4Udp(int length, byte[] source, byte[] destination) {
    return ipv4(UDP, source, destination, 0x4000, udpPayload(length - 20));
  }

  static byte[] v6Udp(int length, byte[] source, byte[] destination) {
    return ipv6(UDP, source, destination, udpPayload(length - 40));
  }

  private int fragNeeded(byte[] packet) {
    return IcmpErrors.fragmentationNeeded(
        new UnsafeBuffer(packet), 0, packet.length, 1400, GATEWAY, out, 0);
  }

  private int tooBig6(byte[] packet) {
    return IcmpErrors.packetTooBig(
        new UnsafeBuffer(packet), 0, packet.length, 1400, GATEWAY6, out, 0);
  }

  private byte[] written(int length) {
    byte[] bytes = new byte[length];
    out.getBytes(0, bytes);
    return bytes;
  }

  private static int u16(byte[] b, int offset) {
    return ((b[offset] & 0xff) << 8) | (b[offset + 1] & 0xff);
  }

  /** Parses the reply independently and checks every field RFC 792 / 1191 / 1812 asks for. */
  static void assertFragmentationNeeded(byte[] reply, byte[] offending, int mtu) {
    assertEquals(0x45, reply[0] & 0xff);
    assertEquals(reply.length, u16(reply, 2));
    assertEquals(64, reply[8] & 0xff);
    assertEquals(ICMP, reply[9]);
    assertEquals(0, checksum(reply, 0, 20, 0), "IPv4 header checksum");
    assertEquals(GATEWAY, ByteBuffer.wrap(reply, 12, 4).getInt());
    assertArrayEquals(Arrays.copyOfRange(offending, 12, 16), Arrays.copyOfRange(reply, 16, 20));
    assertEquals(3, reply[20]);
    assertEquals(4, reply[21]);
    assertEquals(0, checksum(reply, 20, reply.length - 20, 0), "ICMP checksum");
    assertEquals(0, u16(reply, 24));
    assertEquals(mtu, u16(reply, 26));
    int quote = Math.min(offending.length, 576 - 28);
    assertEquals(28 + quote, reply.length);
    assertArrayEquals(Arrays.copyOf(offending, quote), Arrays.copyOfRange(reply, 28, reply.length));
  }

  static void assertPacketTooBig(byte[] reply, byte[] offending, int mtu) {
    assertEquals(6, (reply[0] & 0xf0) >>> 4);
    assertEquals(reply.length - 40, u16(reply, 4));
    assertEquals(ICMPV6, reply[6]);
    assertEquals(64, reply[7] & 0xff);
    assertArrayEquals(GATEWAY6, Arrays.copyOfRange(reply, 8, 24));
    assertArrayEquals(Arrays.copyOfRange(offending, 8, 24), Arrays.copyOfRange(reply, 24, 40));
    assertEquals(2, reply[40]);
    assertEquals(0, reply[41]);
    long pseudo = pseudoHeaderSum(reply, ICMPV6, reply.length - 40);
    assertEquals(0, checksum(reply, 40, reply.length - 40, pseudo), "ICMPv6 checksum");
    assertEquals(mtu, ByteBuffer.wrap(reply, 44, 4).getInt());
    int quote = Math.min(offending.length, 1280 - 48);
    assertEquals(48 + quote, reply.length);
    assertArrayEquals(Arrays.copyOf(offending, quote), Arrays.copyOfRange(reply, 48, reply.length));
  }

  @Test
  void ipv4QuotesUpTo576Bytes() {
    byte[] big = v4Udp(1500, HOST, REMOTE);
    int length = fragNeeded(big);
    assertEquals(576, length);
    assertFragmentationNeeded(written(length), big, 1400);

    byte[] small = v4Udp(100, HOST, REMOTE);
    length = fragNeeded(small);
    assertEquals(128, length);
    assertFragmentationNeeded(written(length), small, 1400);
  }

  @Test
  void ipv6QuotesUpTo1280Bytes() {
    byte[] big = v6Udp(1500, HOST6, REMOTE6);
    int length = tooBig6(big);
    assertEquals(1280, length);
    assertPacketTooBig(written(length), big, 1400);

    byte[] small = v6Udp(300, HOST6, REMOTE6);
    length = tooBig6(small);
    assertEquals(348, length);
    assertPacketTooBig(written(length), small, 1400);
  }

  @Test
  void theDispatcherFollowsTheVersion() {
    byte[] v4 = v4Udp(1500, HOST, REMOTE);
    byte[] v6 = v6Udp(1500, HOST6, REMOTE6);
    assertEquals(
        576, IcmpErrors.tooBig(new UnsafeBuffer(v4), 0, 1500, 1400, GATEWAY, GATEWAY6, out, 0));
    assertEquals(
        1280, IcmpErrors.tooBig(new UnsafeBuffer(v6), 0, 1500, 1400, GATEWAY, GATEWAY6, out, 0));
    byte[] notIp = new byte[100];
    assertEquals(
        0, IcmpErrors.tooBig(new UnsafeBuffer(notIp), 0, 100, 1400, GATEWAY, GATEWAY6, out, 0));
    assertEquals(
        0, IcmpErrors.tooBig(new UnsafeBuffer(notIp), 0, 0, 1400, GATEWAY, GATEWAY6, out, 0));
  }

  @Test
  void buildsInPlaceInTheHeadroom() {
    byte[] packet = v4Udp(1500, HOST, REMOTE);
    byte[] frame = new byte[2000];
    System.arraycopy(packet, 0, frame, 128, packet.length);
    UnsafeBuffer buffer = new UnsafeBuffer(frame);
    int length = IcmpErrors.fragmentationNeeded(buffer, 128, 1500, 1400, GATEWAY, buffer, 100);
    assertFragmentationNeeded(Arrays.copyOfRange(frame, 100, 100 + length), packet, 1400);

    byte[] packet6 = v6Udp(1500, HOST6, REMOTE6);
    System.arraycopy(packet6, 0, frame, 128, packet6.length);
    length = IcmpErrors.packetTooBig(buffer, 128, 1500, 1400, GATEWAY6, buffer, 80);
    assertPacketTooBig(Arrays.copyOfRange(frame, 80, 80 + length), packet6, 1400);
  }

  @Test
  void neverAnswersAnIcmpv4ErrorButAnswersAQuery() {
    byte[] unreachable = bytes(3, 1, 0, 0, 0, 0, 0, 0);
    assertEquals(
        0, fragNeeded(ipv4(ICMP, HOST, REMOTE, 0x4000, concat(unreachable, new byte[900]))));
    byte[] unknownType = bytes(200, 0, 0, 0, 0, 0, 0, 0);
    assertEquals(
        0, fragNeeded(ipv4(ICMP, HOST, REMOTE, 0x4000, concat(unknownType, new byte[900]))));
    assertEquals(0, fragNeeded(ipv4(ICMP, HOST, REMOTE, 0x4000, new byte[0])));
    byte[] echo = bytes(8, 0, 0, 0, 0, 1, 0, 1);
    byte[] ping = ipv4(ICMP, HOST, REMOTE, 0x4000, concat(echo, new byte[1400]));
    int length = fragNeeded(ping);
    assertFragmentationNeeded(written(length), ping, 1400);
  }

  @Test
  void neverAnswersASourceThatIsNotASingleIpv4Host() {
    assertEquals(0, fragNeeded(v4Udp(1500, bytes(0, 0, 0, 0), REMOTE)));
    assertEquals(0, fragNeeded(v4Udp(1500, bytes(127, 0, 0, 1), REMOTE)));
    assertEquals(0, fragNeeded(v4Udp(1500, bytes(224, 0, 0, 5), REMOTE)));
    assertEquals(0, fragNeeded(v4Udp(1500, bytes(240, 1, 2, 3), REMOTE)));
    assertEquals(0, fragNeeded(v4Udp(1500, bytes(255, 255, 255, 255), REMOTE)));
    assertEquals(0, fragNeeded(v4Udp(1500, HOST, bytes(239, 1, 1, 1))));
    assertEquals(0, fragNeeded(v4Udp(1500, HOST, bytes(255, 255, 255, 255))));
  }

  @Test
  void neverAnswersANonInitialIpv4Fragment() {
    assertEquals(0, fragNeeded(ipv4(UDP, HOST, REMOTE, 0x0010, udpPayload(1480))));
    byte[] first = ipv4(UDP, HOST, REMOTE, 0x2000, udpPayload(1480));
    assertFragmentationNeeded(written(fragNeeded(first)), first, 1400);
  }

  @Test
  void neverAnswersAnIcmpv6ErrorOrRedirectEvenBehindExtensionHeaders() {
    byte[] destUnreachable = concat(bytes(1, 0, 0, 0, 0, 0, 0, 0), new byte[1400]);
    assertEquals(0, tooBig6(ipv6(ICMPV6, HOST6, REMOTE6, destUnreachable)));
    byte[] redirect = concat(bytes(137, 0, 0, 0, 0, 0, 0, 0), new byte[1400]);
    assertEquals(0, tooBig6(ipv6(ICMPV6, HOST6, REMOTE6, redirect)));
    byte[] hopByHop = bytes(60, 0, 1, 4, 0, 0, 0, 0);
    byte[] destOptions = bytes(ICMPV6, 0, 1, 4, 0, 0, 0, 0);
    byte[] hidden = concat(hopByHop, destOptions, destUnreachable);
    assertEquals(0, tooBig6(ipv6(0, HOST6, REMOTE6, hidden)));
    byte[] truncatedChain = bytes(60, 0, 1, 4, 0, 0, 0, 0, 58);
    assertEquals(0, tooBig6(ipv6(0, HOST6, REMOTE6, truncatedChain)));

    byte[] echo = concat(bytes(128, 0, 0, 0, 0, 1, 0, 1), new byte[1400]);
    byte[] ping = ipv6(0, HOST6, REMOTE6, concat(hopByHop, destOptions, echo));
    assertPacketTooBig(written(tooBig6(ping)), ping, 1400);
    // A later fragment does not carry the upper-layer header: it may be answered.
    byte[] laterFragment = concat(bytes(ICMPV6, 0, 0x05, 0x00, 0, 0, 0, 1), destUnreachable);
    byte[] fragment = ipv6(44, HOST6, REMOTE6, laterFragment);
    assertPacketTooBig(written(tooBig6(fragment)), fragment, 1400);
  }

  @Test
  void neverAnswersAnUnspecifiedOrMulticastIpv6SourceButDoesAMulticastDestination() {
    assertEquals(0, tooBig6(v6Udp(1500, new byte[16], REMOTE6)));
    byte[] allNodes = bytes(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertEquals(0, tooBig6(v6Udp(1500, allNodes, REMOTE6)));
    // RFC 4443 2.4(e.3), exception 1: Path MTU Discovery for multicast.
    byte[] toMulticast = v6Udp(1500, HOST6, allNodes);
    assertPacketTooBig(written(tooBig6(toMulticast)), toMulticast, 1400);
  }

  @Test
  void returnsZeroWhenTheOutputHasNoRoom() {
    byte[] packet = v4Udp(1500, HOST, REMOTE);
    UnsafeBuffer small = new UnsafeBuffer(new byte[40]);
    assertEquals(
        0,
        IcmpErrors.fragmentationNeeded(new UnsafeBuffer(packet), 0, 1500, 1400, GATEWAY, small, 0));
    UnsafeBuffer medium = new UnsafeBuffer(new byte[200]);
    assertEquals(
        200,
        IcmpErrors.fragmentationNeeded(
            new UnsafeBuffer(packet), 0, 1500, 1400, GATEWAY, medium, 0));
    assertEquals(
        0,
        IcmpErrors.fragmentationNeeded(
            new UnsafeBuffer(packet), 0, 1500, 1400, GATEWAY, medium, -1));
    byte[] packet6 = v6Udp(1500, HOST6, REMOTE6);
    assertEquals(
        0, IcmpErrors.packetTooBig(new UnsafeBuffer(packet6), 0, 1500, 1400, GATEWAY6, small, 0));
  }

  @Test
  void rejectsImpossibleMtusAndAddresses() {
    UnsafeBuffer packet = new UnsafeBuffer(v4Udp(1500, HOST, REMOTE));
    assertThrows(
        IllegalArgumentException.class,
        () -> IcmpErrors.fragmentationNeeded(packet, 0, 1500, 67, GATEWAY, out, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> IcmpErrors.packetTooBig(packet, 0, 1500, 1279, GATEWAY6, out, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> IcmpErrors.packetTooBig(packet, 0, 1500, 1400, new byte[4], out, 0));
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(792);
    byte[] data = new byte[1600];
    UnsafeBuffer in = new UnsafeBuffer(data);
    for (int round = 0; round < 50_000; round++) {
      random.nextBytes(data);
      data[0] = (byte) (random.nextBoolean() ? 0x40 + random.nextInt(16) : 0x60);
      int offset = random.nextInt(16);
      int length = random.nextInt(1600);
      IcmpErrors.tooBig(in, offset, length, 1400, GATEWAY, GATEWAY6, out, random.nextInt(1000));
    }
  }
}
