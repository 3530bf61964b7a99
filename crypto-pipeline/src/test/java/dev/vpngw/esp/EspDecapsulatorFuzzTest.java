package dev.vpngw.esp;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A million random and mutated packets into both decapsulator entry points: valid encapsulated
 * packets (all families, bare and UDP, several suites, windows on and off) with bits flipped,
 * truncated, extended, length fields overwritten, SPI and sequence numbers swapped, ciphertext
 * altered, or replaced by random bytes behind plausible headers; plus nonsense caller ranges.
 * Nothing may throw, every call returns OK or a drop reason, and the counters add up to the calls.
 *
 * <p>A million calls on the preferred engine, a quarter of that on each other one. The seed is
 * printed; rerun a failure with {@code -Dvpngw.fuzz.seed=...}.
 */
class EspDecapsulatorFuzzTest {
  /** Calls on the preferred engine; the others get a quarter each, enough to cross-check. */
  private static final int CALLS = 1_000_000;

  private static final int TEMPLATES = 48;
  private static final int BASE = 64;

  /** One SA pair the fuzzer sends valid packets on. */
  private record Pair(SecurityAssociation out, SecurityAssociation in) {}

  /** A valid outer packet and where its ESP part starts. */
  private record Template(byte[] packet, int espStart) {}

  static List<CryptoEngine> engines() {
    return CryptoEngines.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void nothingThrowsAndEveryCallIsCountedOnce(CryptoEngine engine) {
    int calls = engine == CryptoEngines.defaultEngine() ? CALLS : CALLS / 4;
    long seed = Long.getLong("vpngw.fuzz.seed", System.nanoTime());
    System.out.println(
        "EspDecapsulatorFuzzTest "
            + engine.name()
            + " seed "
            + seed
            + " (rerun: -Dvpngw.fuzz.seed="
            + seed
            + ")");
    Random random = new Random(seed);
    SaDatabase database = new SaDatabase();
    EspCounters counters = new EspCounters();
    EspDecapsulator decapsulator = new EspDecapsulator(database, counters);
    EspEncapsulator encapsulator = new EspEncapsulator(new EspCounters());
    EspResult result = new EspResult();
    List<Pair> pairs = new ArrayList<>();
    long[] byStatus = new long[DropReason.MAX_ID + 1];

    try (Arena arena = Arena.ofConfined()) {
      PacketBuffer work = PacketBuffer.allocate(arena, 2048);
      PacketBuffer fuzz = PacketBuffer.allocate(arena, 2048);
      UnsafeBuffer b = fuzz.buffer();
      Object[][] setups = {
        {Encryption.AES_GCM_16_128, Integrity.NONE, 4, true, false, 64},
        {Encryption.AES_CBC_128, Integrity.HMAC_SHA2_256_128, 6, false, true, 4096},
        {Encryption.CHACHA20_POLY1305, Integrity.NONE, 4, false, false, 0},
        {Encryption.AES_GMAC_128, Integrity.NONE, 6, true, false, 0},
        {Encryption.TDES_CBC, Integrity.HMAC_SHA1_96, 4, true, false, 0},
        {Encryption.AES_CBC_256, Integrity.HMAC_SHA2_512_256, 6, true, true, 128},
      };
      int[] spis = new int[setups.length];
      for (int i = 0; i < setups.length; i++) {
        Object[] s = setups[i];
        spis[i] = 0x1000 + i;
        SaConfig config =
            EspTestSupport.config(
                    new EspSuite((Encryption) s[0], (Integrity) s[1]),
                    spis[i],
                    (int) s[2],
                    (boolean) s[3],
                    (boolean) s[4],
                    random)
                .replayWindowSize((int) s[5])
                .build();
        Pair pair =
            new Pair(
                SecurityAssociation.outbound(config, engine),
                SecurityAssociation.inbound(config, engine));
        database.add(pair.in());
        pairs.add(pair);
      }
      Template[] templates = new Template[TEMPLATES];
      for (int i = 0; i < TEMPLATES; i++) {
        templates[i] = encapsulate(pairs, work, encapsulator, result, random);
      }

      for (int call = 0; call < calls; call++) {
        if (random.nextInt(16) == 0) {
          templates[random.nextInt(TEMPLATES)] =
              encapsulate(pairs, work, encapsulator, result, random);
        }
        Template t = templates[random.nextInt(TEMPLATES)];
        int offset = BASE;
        int length = t.packet().length;
        int espStart = t.espStart();
        b.putBytes(offset, t.packet());
        int mutation = random.nextInt(13);
        boolean full = random.nextBoolean();
        switch (mutation) {
          case 0 -> {}
          case 1 -> {
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
              int at = offset + random.nextInt(length);
              b.putByte(at, (byte) (b.getByte(at) ^ (1 << random.nextInt(8))));
            }
          }
          case 2 -> length = random.nextInt(length + 1);
          case 3 -> {
            int extra = 1 + random.nextInt(64);
            for (int i = 0; i < extra; i++) {
              b.putByte(offset + length + i, (byte) random.nextInt());
            }
            length += extra;
          }
          case 4 -> {
            boolean v4 = (b.getByte(offset) & 0xf0) == 0x40;
            int field = v4 ? Ipv4Header.TOTAL_LENGTH_OFFSET : Ipv6Header.PAYLOAD_LENGTH_OFFSET;
            b.putShort(offset + field, (short) random.nextInt(), BIG_ENDIAN);
            if (v4 && random.nextBoolean()) {
              new Ipv4Header().wrap(b, offset).updateChecksum();
            }
          }
          case 5 -> {
            if (espStart - (offset - BASE) >= Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH
                && random.nextBoolean()) {
              b.putShort(
                  offset + espStart - UdpHeader.LENGTH + UdpHeader.LENGTH_OFFSET,
                  (short) random.nextInt(),
                  BIG_ENDIAN);
            } else {
              b.putByte(offset, (byte) random.nextInt());
            }
          }
          case 6 -> {
            length = random.nextInt(1500);
            for (int i = 0; i < length; i++) {
              b.putByte(offset + i, (byte) random.nextInt());
            }
            espStart = random.nextInt(length + 1);
          }
          case 7 -> {
            length = plausibleGarbage(b, offset, random, spis);
            espStart = length > 28 ? 28 : 0;
          }
          case 8 ->
              b.putInt(
                  offset + espStart,
                  random.nextBoolean() ? spis[random.nextInt(spis.length)] : random.nextInt(),
                  BIG_ENDIAN);
          case 9 ->
              b.putInt(offset + espStart + EspHeader.SEQUENCE_OFFSET, random.nextInt(), BIG_ENDIAN);
          case 10 -> {
            int tail = Math.min(48, length - espStart);
            int at = offset + length - 1 - random.nextInt(tail);
            b.putByte(at, (byte) random.nextInt());
          }
          case 11 -> {
            offset = random.nextInt(5000) - 1000;
            length = random.nextInt(5000) - 1000;
          }
          default -> {
            length =
                authenticGarbage(b, fuzz, offset, pairs.get(random.nextInt(pairs.size())), random);
            espStart = 0;
            full = false;
          }
        }
        int status;
        try {
          status =
              full
                  ? decapsulator.decapsulatePacket(fuzz, offset, length, result)
                  : decapsulator.decapsulate(fuzz, offset + espStart, length - espStart, result);
        } catch (Throwable e) {
          throw new AssertionError(
              "seed "
                  + seed
                  + " call "
                  + call
                  + " mutation "
                  + mutation
                  + " full="
                  + full
                  + ": "
                  + e,
              e);
        }
        if (status == EspResult.OK) {
          assertTrue(
              result.innerLength() > 0
                  && result.innerOffset() >= offset
                  && result.innerOffset() + result.innerLength() <= offset + length,
              "seed " + seed + " call " + call + ": inner packet outside the input");
        } else if (status < 1 || status > DropReason.MAX_ID) {
          fail("seed " + seed + " call " + call + ": status " + status + " is no drop reason");
        }
        byStatus[status]++;
        assertEquals(
            call + 1L,
            byStatus[EspResult.OK] + counters.totalDrops(),
            "seed " + seed + " call " + call + ": a drop not counted exactly once");
      }
    } finally {
      for (Pair pair : pairs) {
        pair.out().close();
        pair.in().close();
      }
    }

    StringBuilder histogram = new StringBuilder("OK=" + byStatus[0]);
    for (DropReason reason : DropReason.values()) {
      histogram.append(' ').append(reason).append('=').append(byStatus[reason.id()]);
      assertEquals(byStatus[reason.id()], counters.dropCount(reason), reason.toString());
    }
    System.out.println("EspDecapsulatorFuzzTest " + engine.name() + " " + histogram);
    assertEquals(0, counters.packetsIn(), "delivery is the worker's to count, not the codec's");
    assertEquals(calls, byStatus[EspResult.OK] + counters.totalDrops());
    // The mutations must reach deep into the checks, not stop at the first header.
    assertTrue(byStatus[EspResult.OK] > 0, histogram.toString());
    for (DropReason deep :
        new DropReason[] {
          DropReason.BAD_ICV, DropReason.UNKNOWN_SPI, DropReason.MALFORMED_HEADER,
          DropReason.TRUNCATED, DropReason.REPLAYED, DropReason.OUT_OF_BUFFER,
          DropReason.BAD_PADDING, DropReason.BAD_NEXT_HEADER, DropReason.DUMMY_PACKET,
          DropReason.BAD_INNER_PACKET
        }) {
      assertTrue(counters.dropCount(deep) > 0, deep + " never hit: " + histogram);
    }
  }

  /** Encapsulates a random inner packet on a random SA and keeps a copy of the outer packet. */
  private static Template encapsulate(
      List<Pair> pairs,
      PacketBuffer work,
      EspEncapsulator encapsulator,
      EspResult result,
      Random random) {
    Pair pair = pairs.get(random.nextInt(pairs.size()));
    int version = random.nextBoolean() ? 4 : 6;
    int length = EspTestSupport.minInner(version) + random.nextInt(260);
    EspTestSupport.writeInner(work.buffer(), EspEncapsulator.HEADROOM, version, length, length);
    int status =
        encapsulator.encapsulate(pair.out(), work, EspEncapsulator.HEADROOM, length, result);
    assertEquals(EspResult.OK, status);
    byte[] packet =
        EspTestSupport.copy(work.buffer(), result.packetOffset(), result.packetLength());
    return new Template(packet, result.espOffset() - result.packetOffset());
  }

  /**
   * A bare ESP packet with a valid ICV around a text that is anything from a valid inner packet
   * with correct padding to random bytes, so that the checks after decryption (padding, next
   * header, inner lengths) see hostile input too.
   *
   * @return the ESP length
   */
  private static int authenticGarbage(
      UnsafeBuffer b, PacketBuffer fuzz, int offset, Pair pair, Random random) {
    SecurityAssociation sender = pair.out();
    Encryption encryption = sender.config().suite().encryption();
    int alignment = encryption.isCombined() ? 1 : encryption.paddingAlignment();
    int textLength = Math.max(alignment, (2 + random.nextInt(300)) / alignment * alignment);
    int text = offset + EspHeader.LENGTH + encryption.ivLength();
    for (int i = 0; i < textLength; i++) {
      b.putByte(text + i, (byte) random.nextInt());
    }
    int payloadLength = random.nextInt(textLength - 1);
    int version = random.nextBoolean() ? 4 : 6;
    if (random.nextBoolean() && payloadLength >= EspTestSupport.minInner(version)) {
      int innerLength = EspTestSupport.minInner(version);
      innerLength += random.nextInt(payloadLength - innerLength + 1);
      EspTestSupport.writeInner(b, text, version, innerLength, 5);
    }
    int padLength = textLength - 2 - payloadLength;
    for (int i = 1; i <= padLength; i++) {
      b.putByte(
          text + payloadLength + i - 1, (byte) (random.nextInt(8) == 0 ? random.nextInt() : i));
    }
    b.putByte(
        text + textLength - 2, (byte) (random.nextInt(4) == 0 ? random.nextInt() : padLength));
    int[] nextHeaders = {4, 41, 59, random.nextInt(256), version == 4 ? 4 : 41};
    b.putByte(text + textLength - 1, (byte) nextHeaders[random.nextInt(nextHeaders.length)]);
    long seq = sender.takeSequence();
    new EspHeader().wrap(b, offset).spi(sender.spi()).sequenceLow((int) seq);
    sender.cipher().seal(fuzz, offset, textLength, seq, sender.esn());
    return EspHeader.LENGTH
        + encryption.ivLength()
        + textLength
        + sender.config().suite().icvLength();
  }

  /**
   * Random bytes behind a consistent outer IPv4 or IPv6 header (protocol 50 or UDP to 4500) and a
   * known SPI, so that garbage reaches the replay window and the ICV.
   *
   * @return the packet length
   */
  private static int plausibleGarbage(UnsafeBuffer b, int offset, Random random, int[] spis) {
    boolean v4 = random.nextBoolean();
    boolean udp = random.nextBoolean();
    int ipLength = v4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
    int espLength = random.nextInt(400);
    int udpLength = udp ? UdpHeader.LENGTH : 0;
    int length = ipLength + udpLength + espLength;
    for (int i = 0; i < length; i++) {
      b.putByte(offset + i, (byte) random.nextInt());
    }
    int protocol = udp ? UdpHeader.PROTOCOL : EspHeader.PROTOCOL;
    if (v4) {
      new Ipv4Header()
          .wrap(b, offset)
          .versionAndHeaderLength(Ipv4Header.MIN_LENGTH)
          .totalLength(length)
          .flagsAndFragmentOffset(0)
          .protocol(protocol)
          .updateChecksum();
    } else {
      new Ipv6Header()
          .wrap(b, offset)
          .versionClassFlow(0, 0)
          .payloadLength(length - ipLength)
          .nextHeader(protocol);
    }
    if (udp) {
      new UdpHeader()
          .wrap(b, offset + ipLength)
          .destinationPort(UdpEncapsulation.PORT)
          .length(udpLength + espLength);
    }
    if (espLength >= 4) {
      b.putInt(offset + ipLength + udpLength, spis[random.nextInt(spis.length)], BIG_ENDIAN);
    }
    return length;
  }
}
