package dev.vpngw.esp;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.packet.EspHeader;
import dev.vpngw.packet.Ipv4Header;
import dev.vpngw.packet.Ipv6Header;
import dev.vpngw.packet.UdpHeader;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way an inbound packet is dropped, one reason at a time, in the order of RFC 4303 3.4 and
 * RFC 3948 3.2. Packets with a valid ICV but a bad trailer are built by sealing a crafted text with
 * the sender's {@link dev.vpngw.crypto.EspCipher} directly.
 */
class EspDecapsulatorTest {
  private static final int SPI = 0x4242_0001;
  private static final EspSuite GCM = new EspSuite(Encryption.AES_GCM_16_128, Integrity.NONE);
  private static final int ESP_OFFSET = 64;

  private final CryptoEngine engine = CryptoEngines.defaultEngine();
  private final Arena arena = Arena.ofConfined();
  private final PacketBuffer buf = PacketBuffer.allocate(arena, 4096);
  private final UnsafeBuffer b = buf.buffer();
  private final SaDatabase database = new SaDatabase();
  private final EspCounters counters = new EspCounters();
  private final EspDecapsulator decapsulator = new EspDecapsulator(database, counters);
  private final EspEncapsulator encapsulator = new EspEncapsulator(new EspCounters());
  private final EspResult result = new EspResult();
  private long calls;
  private long delivered;

  private SaConfig config;
  private SecurityAssociation out;
  private SecurityAssociation in;

  @BeforeEach
  void install() {
    useConfig(EspTestSupport.config(GCM, SPI, 4, true, false, new Random(1)).build());
  }

  private void useConfig(SaConfig newConfig) {
    closeSas();
    config = newConfig;
    out = SecurityAssociation.outbound(config, engine);
    in = SecurityAssociation.inbound(config, engine);
    database.add(in);
  }

  private void closeSas() {
    if (in != null) {
      database.remove(in.spi());
      in.close();
      out.close();
    }
  }

  @AfterEach
  void close() {
    closeSas();
    arena.close();
    assertEquals(calls, delivered + counters.totalDrops(), "one drop per call that is no success");
    assertEquals(0, counters.packetsIn(), "delivery is its caller's to count");
  }

  /** Encapsulates an inner packet with {@code sa}; returns a copy of the outer packet. */
  private byte[] send(SecurityAssociation sa, int innerVersion, int innerLength) {
    EspTestSupport.writeInner(b, EspEncapsulator.HEADROOM, innerVersion, innerLength, 7);
    assertEquals(
        EspResult.OK,
        encapsulator.encapsulate(sa, buf, EspEncapsulator.HEADROOM, innerLength, result));
    return EspTestSupport.copy(b, result.packetOffset(), result.packetLength());
  }

  private int receivePacket(byte[] outer) {
    b.putBytes(0, outer);
    return receivePacket(outer.length);
  }

  private int receivePacket(int length) {
    calls++;
    return tally(decapsulator.decapsulatePacket(buf, 0, length, result));
  }

  private int receiveEsp(int espLength) {
    calls++;
    return tally(decapsulator.decapsulate(buf, ESP_OFFSET, espLength, result));
  }

  private int tally(int status) {
    if (status == EspResult.OK) {
      delivered++;
    }
    return status;
  }

  private static void assertDrop(DropReason expected, int status) {
    assertEquals(expected.id(), status, () -> "expected " + expected + ", got " + describe(status));
  }

  private static String describe(int status) {
    return status == EspResult.OK ? "OK" : DropReason.fromId(status).toString();
  }

  /**
   * Seals a crafted ESP packet at {@link #ESP_OFFSET}: {@code payload}, then {@code padding}, then
   * the pad length field and next header as given, with a valid ICV.
   *
   * @return the ESP length
   */
  private int craft(
      SecurityAssociation sender, long seq, byte[] payload, byte[] padding, int padLength, int nh) {
    EspSuite suite = sender.config().suite();
    int text = ESP_OFFSET + EspHeader.LENGTH + suite.encryption().ivLength();
    new EspHeader().wrap(b, ESP_OFFSET).spi(sender.spi()).sequenceLow((int) seq);
    b.putBytes(text, payload);
    b.putBytes(text + payload.length, padding);
    int textLength = payload.length + padding.length + 2;
    b.putByte(text + textLength - 2, (byte) padLength);
    b.putByte(text + textLength - 1, (byte) nh);
    sender.cipher().seal(buf, ESP_OFFSET, textLength, seq, sender.esn());
    return EspHeader.LENGTH + suite.encryption().ivLength() + textLength + suite.icvLength();
  }

  private static byte[] inner(int version, int length) {
    byte[] packet = new byte[length];
    EspTestSupport.writeInner(new UnsafeBuffer(packet), 0, version, length, 3);
    return packet;
  }

  private static byte[] padding(int... bytes) {
    byte[] padding = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      padding[i] = (byte) bytes[i];
    }
    return padding;
  }

  @Test
  void aCraftedPacketWithCorrectPaddingIsDelivered() {
    int espLength = craft(out, 1, inner(4, 61), padding(1), 1, 4);
    assertEquals(EspResult.OK, receiveEsp(espLength));
    assertEquals(61, result.innerLength());
    assertEquals(1, result.sequence());
    assertSame(in, result.sa());
  }

  @Test
  void unknownSpi() {
    try (SecurityAssociation stranger =
        SecurityAssociation.outbound(config.toBuilder().spi(0x9999).build(), engine)) {
      assertDrop(DropReason.UNKNOWN_SPI, receivePacket(send(stranger, 4, 100)));
      assertEquals(0x9999, result.spi());
      assertNull(result.sa());
    }
  }

  @Test
  void replayedAndTooOld() {
    byte[] first = send(out, 4, 100);
    byte[] second = send(out, 6, 100);
    assertEquals(EspResult.OK, receivePacket(first));
    assertDrop(DropReason.REPLAYED, receivePacket(first));
    try (SecurityAssociation ahead =
        SecurityAssociation.outbound(
            config.toBuilder().initialSequenceNumber(200).build(), engine)) {
      assertEquals(EspResult.OK, receivePacket(send(ahead, 4, 100)));
    }
    assertDrop(DropReason.TOO_OLD, receivePacket(second));
    assertSame(in, result.sa());
  }

  @Test
  void aForgedHighSequenceNumberWithABadIcvDoesNotMoveTheWindow() {
    byte[] legit = send(out, 4, 100);
    try (SecurityAssociation forger =
        SecurityAssociation.outbound(
            config.toBuilder().initialSequenceNumber(1_000_000).build(), engine)) {
      byte[] forged = send(forger, 4, 100);
      forged[forged.length - 1] ^= 0x01;
      assertDrop(DropReason.BAD_ICV, receivePacket(forged));
    }
    assertEquals(0, in.replayWindow().highestSequence());
    assertEquals(EspResult.OK, receivePacket(legit), "seq 1 is still inside the window");
  }

  @Test
  void anyAlteredByteFailsTheIcv() {
    byte[] packet = send(out, 4, 100);
    int esp = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;
    for (int i = esp + EspHeader.SEQUENCE_OFFSET; i < packet.length; i += 13) {
      byte[] altered = packet.clone();
      altered[i] ^= 0x40;
      assertDrop(DropReason.BAD_ICV, receivePacket(altered));
    }
    assertEquals(EspResult.OK, receivePacket(packet));
  }

  @Test
  void paddingMustCountUpFromOne() {
    int espLength = craft(out, 1, inner(4, 59), padding(1, 2, 4), 3, 4);
    assertDrop(DropReason.BAD_PADDING, receiveEsp(espLength));
    // Authentic nonetheless: the window moved, so the same packet again is a replay.
    espLength = craft(out, 1, inner(4, 59), padding(1, 2, 4), 3, 4);
    assertDrop(DropReason.REPLAYED, receiveEsp(espLength));
  }

  @Test
  void padLengthMustStayWithinTheText() {
    assertDrop(DropReason.BAD_PADDING, receiveEsp(craft(out, 1, inner(4, 60), padding(), 61, 4)));
    assertDrop(DropReason.BAD_PADDING, receiveEsp(craft(out, 2, new byte[0], padding(), 255, 4)));
  }

  @Test
  void nextHeaderMustBeIpAndMatchTheInnerVersion() {
    assertDrop(
        DropReason.BAD_NEXT_HEADER, receiveEsp(craft(out, 1, inner(4, 60), padding(), 0, 17)));
    assertDrop(
        DropReason.BAD_NEXT_HEADER, receiveEsp(craft(out, 2, inner(6, 60), padding(), 0, 4)));
    assertDrop(
        DropReason.BAD_NEXT_HEADER, receiveEsp(craft(out, 3, inner(4, 60), padding(), 0, 41)));
    assertEquals(EspResult.OK, receiveEsp(craft(out, 4, inner(6, 60), padding(), 0, 41)));
    assertEquals(41, result.nextHeader());
  }

  @Test
  void dummyPacketsAreDroppedAndCounted() {
    assertDrop(
        DropReason.DUMMY_PACKET, receiveEsp(craft(out, 1, new byte[38], padding(1, 2), 2, 59)));
    assertEquals(1, counters.dropCount(DropReason.DUMMY_PACKET));
    assertEquals(1, in.replayWindow().highestSequence(), "a dummy still uses its number");
  }

  @Test
  void tfcPaddingAfterTheInnerPacketIsIgnored() {
    byte[] innerPacket = inner(6, 80);
    byte[] withTfc = new byte[innerPacket.length + 50];
    System.arraycopy(innerPacket, 0, withTfc, 0, innerPacket.length);
    assertEquals(EspResult.OK, receiveEsp(craft(out, 1, withTfc, padding(), 0, 41)));
    assertEquals(80, result.innerLength());
    assertEquals(80, in.bytes(), "the lifetime is charged the inner packet, not its padding");
  }

  @Test
  void innerHeaderMustFitThePayload() {
    byte[] v4 = inner(4, 60);
    new Ipv4Header().wrap(new UnsafeBuffer(v4), 0).totalLength(61);
    assertDrop(DropReason.BAD_INNER_PACKET, receiveEsp(craft(out, 1, v4, padding(), 0, 4)));
    new Ipv4Header().wrap(new UnsafeBuffer(v4), 0).totalLength(60).versionAndHeaderLength(16);
    assertDrop(DropReason.BAD_INNER_PACKET, receiveEsp(craft(out, 2, v4, padding(), 0, 4)));
    byte[] v6 = inner(6, 60);
    new Ipv6Header().wrap(new UnsafeBuffer(v6), 0).payloadLength(21);
    assertDrop(DropReason.BAD_INNER_PACKET, receiveEsp(craft(out, 3, v6, padding(), 0, 41)));
    assertDrop(
        DropReason.BAD_INNER_PACKET, receiveEsp(craft(out, 4, new byte[0], padding(1, 2), 2, 4)));
    byte[] shortV6 = new byte[39];
    shortV6[0] = 0x60;
    assertDrop(DropReason.BAD_INNER_PACKET, receiveEsp(craft(out, 5, shortV6, padding(), 0, 41)));
  }

  @Test
  void truncatedEsp() {
    new EspHeader().wrap(b, ESP_OFFSET).spi(SPI).sequenceLow(1);
    assertDrop(DropReason.TRUNCATED, receiveEsp(0));
    assertDrop(DropReason.TRUNCATED, receiveEsp(7));
    // Header, IV and ICV but only one byte of text: no room for the trailer.
    assertDrop(DropReason.TRUNCATED, receiveEsp(8 + 8 + 1 + 16));
  }

  @Test
  void cbcTextMustBeWholeBlocks() {
    EspSuite cbc = new EspSuite(Encryption.AES_CBC_128, Integrity.HMAC_SHA2_256_128);
    useConfig(EspTestSupport.config(cbc, SPI, 4, false, false, new Random(2)).build());
    int espLength = craft(out, 1, inner(4, 60), padding(1, 2), 2, 4);
    assertEquals(EspResult.OK, receiveEsp(espLength));
    assertDrop(DropReason.MISALIGNED, receiveEsp(espLength - 1));
  }

  @Test
  void hardLifetimeEndsTheInboundSa() {
    useConfig(
        EspTestSupport.config(GCM, SPI, 6, false, true, new Random(3))
            .lifetimePackets(1, 2)
            .build());
    try (SecurityAssociation unlimited =
        SecurityAssociation.outbound(config.toBuilder().lifetimePackets(0, 0).build(), engine)) {
      assertEquals(EspResult.OK, receivePacket(send(unlimited, 4, 100)));
      assertEquals(SecurityAssociation.LifetimeState.SOFT_EXPIRED, in.lifetimeState());
      assertEquals(EspResult.OK, receivePacket(send(unlimited, 4, 100)));
      assertDrop(DropReason.SA_EXPIRED, receivePacket(send(unlimited, 4, 100)));
    }
  }

  @Test
  void callerRangesOutsideTheBuffer() {
    calls += 4;
    assertDrop(DropReason.OUT_OF_BUFFER, decapsulator.decapsulatePacket(buf, -1, 10, result));
    assertDrop(DropReason.OUT_OF_BUFFER, decapsulator.decapsulatePacket(buf, 4000, 97, result));
    assertDrop(DropReason.OUT_OF_BUFFER, decapsulator.decapsulate(buf, 0, -5, result));
    assertDrop(
        DropReason.OUT_OF_BUFFER, decapsulator.decapsulate(buf, 10, Integer.MAX_VALUE, result));
  }

  // Outer headers (decapsulatePacket): every length field is checked against the real length.

  @Test
  void lyingIpv4Lengths() {
    byte[] packet = send(out, 4, 100);
    Ipv4Header ip = new Ipv4Header();
    b.putBytes(0, packet);
    ip.wrap(b, 0).totalLength(packet.length + 1).updateChecksum();
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    b.putBytes(0, packet);
    ip.totalLength(19).updateChecksum();
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    b.putBytes(0, packet);
    ip.versionAndHeaderLength(16);
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    assertDrop(DropReason.TRUNCATED, receivePacket(19));
    assertDrop(DropReason.TRUNCATED, receivePacket(0));
    // Trailing bytes after the datagram (link-layer padding) are not part of it.
    b.putBytes(0, packet);
    assertEquals(EspResult.OK, receivePacket(packet.length + 6));
    assertEquals(packet.length, result.packetLength());
  }

  @Test
  void ipv4OptionsAreSkippedViaIhl() {
    byte[] packet = send(out, 4, 100);
    b.putBytes(0, packet, 0, 20);
    b.putInt(20, 0x0101_0100, BIG_ENDIAN); // NOP, NOP, NOP, End of options
    b.putBytes(24, packet, 20, packet.length - 20);
    new Ipv4Header()
        .wrap(b, 0)
        .versionAndHeaderLength(24)
        .totalLength(packet.length + 4)
        .updateChecksum();
    assertEquals(EspResult.OK, receivePacket(packet.length + 4));
    assertEquals(24 + UdpHeader.LENGTH, result.espOffset());
  }

  @Test
  void ipv4ChecksumFragmentsAndOtherProtocols() {
    byte[] packet = send(out, 4, 100);
    Ipv4Header ip = new Ipv4Header();
    b.putBytes(0, packet);
    ip.wrap(b, 0).ttl(1);
    assertDrop(DropReason.BAD_IP_CHECKSUM, receivePacket(packet.length));
    b.putBytes(0, packet);
    ip.flagsAndFragmentOffset(Ipv4Header.FLAG_MORE_FRAGMENTS).updateChecksum();
    assertDrop(DropReason.FRAGMENT, receivePacket(packet.length));
    b.putBytes(0, packet);
    ip.flagsAndFragmentOffset(0).protocol(6).updateChecksum();
    assertDrop(DropReason.NOT_ESP, receivePacket(packet.length));
    b.putByte(0, (byte) 0x55);
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
  }

  @Test
  void lyingUdpLengthsAndWrongPort() {
    byte[] packet = send(out, 4, 100);
    UdpHeader udp = new UdpHeader();
    b.putBytes(0, packet);
    udp.wrap(b, 20).length(packet.length - 20 + 1);
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    b.putBytes(0, packet);
    udp.length(7);
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    b.putBytes(0, packet);
    udp.destinationPort(4501);
    assertDrop(DropReason.NOT_ESP, receivePacket(packet.length));
    b.putBytes(0, packet);
    Ipv4Header ip = new Ipv4Header().wrap(b, 0).totalLength(27).updateChecksum();
    assertDrop(DropReason.TRUNCATED, receivePacket(packet.length));
    assertEquals(27, ip.totalLength());
  }

  @Test
  void natKeepaliveAndIkeShareThePort() {
    Ipv4Header ip =
        new Ipv4Header()
            .wrap(b, 0)
            .versionAndHeaderLength(20)
            .tos(0)
            .identification(1)
            .flagsAndFragmentOffset(0)
            .ttl(64)
            .protocol(UdpHeader.PROTOCOL)
            .source(1)
            .destination(2);
    UdpHeader udp = new UdpHeader().wrap(b, 20).sourcePort(4500).destinationPort(4500).checksum(0);

    int keepalive = UdpEncapsulation.writeNatKeepalive(b, 28);
    udp.length(8 + keepalive);
    ip.totalLength(28 + keepalive).updateChecksum();
    assertDrop(DropReason.NAT_KEEPALIVE, receivePacket(28 + keepalive));

    b.setMemory(28, 4 + 28, (byte) 0);
    udp.length(8 + 4 + 28);
    ip.totalLength(28 + 4 + 28).updateChecksum();
    assertDrop(DropReason.NON_ESP_MARKER, receivePacket(28 + 4 + 28));

    udp.length(8 + 3);
    ip.totalLength(28 + 3).updateChecksum();
    assertDrop(DropReason.TRUNCATED, receivePacket(28 + 3));
  }

  @Test
  void ipv6LengthsAndExtensionHeaders() {
    useConfig(EspTestSupport.config(GCM, SPI, 6, false, false, new Random(4)).build());
    byte[] packet = send(out, 6, 100);
    Ipv6Header ip = new Ipv6Header();
    b.putBytes(0, packet);
    assertEquals(EspResult.OK, receivePacket(packet.length + 3));
    assertEquals(packet.length, result.packetLength());
    b.putBytes(0, packet);
    ip.wrap(b, 0).payloadLength(packet.length - 40 + 1);
    assertDrop(DropReason.MALFORMED_HEADER, receivePacket(packet.length));
    b.putBytes(0, packet);
    ip.nextHeader(0);
    assertDrop(DropReason.IPV6_EXTENSION_HEADER, receivePacket(packet.length));
    ip.nextHeader(44);
    assertDrop(DropReason.IPV6_EXTENSION_HEADER, receivePacket(packet.length));
    ip.nextHeader(58);
    assertDrop(DropReason.NOT_ESP, receivePacket(packet.length));
    assertDrop(DropReason.TRUNCATED, receivePacket(39));
  }
}
