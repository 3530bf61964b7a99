package dev.vpngw.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds a million mutants of valid messages (every payload type, plain, SK-protected and SKF
 * fragments, and the captured strongSwan exchange) to every decoder: {@link IkeMessage#decode},
 * {@link PayloadChain#decode}, {@link IkeMessage#decodeProtected} and one long-lived {@link
 * FragmentReassembler}. Nothing but {@link IkeParseException} may escape, and whatever decodes must
 * encode and decode again to the same message. The ciphers are transparent (they accept every ICV),
 * so that mutants get past the integrity check and reach the inner parser, as an authentic but
 * malformed message from a buggy or hostile peer would. A fixed seed makes a failure reproducible;
 * the failing input is printed in hex.
 */
class IkeParserFuzzTest {
  private static final long SEED = 0x1CE_F0221L;
  private static final int MUTANTS = 1_000_000;
  private static final int[] INTERESTING_16 = {
    0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF
  };

  private record Seed(byte[] bytes, SkCipher cipher) {}

  private final Map<Reason, Integer> rejections = new EnumMap<>(Reason.class);
  private int plainDecoded;
  private int protectedDecoded;
  private int reassembled;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void onlyIkeParseExceptionEscapesFromAMillionMutants() {
    List<Seed> corpus = corpus();
    SplittableRandom random = new SplittableRandom(SEED);
    FragmentReassembler reassembler = new FragmentReassembler();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = System.nanoTime();
    long cpuStart = threads.getCurrentThreadCpuTime();
    int count = 0;
    while (count < MUTANTS) {
      Seed seed = corpus.get(random.nextInt(corpus.size()));
      byte[] mutant = mutate(seed.bytes(), random);
      try {
        feed(mutant, seed.cipher(), reassembler);
      } catch (RuntimeException | Error e) {
        throw new AssertionError(
            "mutant " + count + " of seed " + SEED + ": " + HexFormat.of().formatHex(mutant), e);
      }
      count++;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long cpuMillis = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - cpuStart);
    System.out.printf(
        "IkeParserFuzzTest: %d mutants in %d ms (%d ms CPU); decoded %d plain, %d protected,"
            + " %d reassembled; rejections %s%n",
        count, millis, cpuMillis, plainDecoded, protectedDecoded, reassembled, rejections);
    assertEquals(MUTANTS, count, "mutants fed to every decoder");
    // The mutants must exercise both outcomes, or the test would prove little.
    assertTrue(plainDecoded > MUTANTS / 100, "plain decodes: " + plainDecoded);
    assertTrue(protectedDecoded > MUTANTS / 100, "protected decodes: " + protectedDecoded);
    assertTrue(reassembled > 0, "mutated fragments never completed a message");
    for (Reason r :
        List.of(Reason.MALFORMED, Reason.INVALID_MAJOR_VERSION, Reason.INVALID_SYNTAX)) {
      assertTrue(rejections.getOrDefault(r, 0) > 100, r + ": " + rejections);
    }
  }

  private void feed(byte[] m, SkCipher cipher, FragmentReassembler reassembler) {
    try {
      IkeMessage decoded = IkeMessage.decode(m, 0, m.length);
      byte[] again = decoded.encode();
      assertEquals(decoded, IkeMessage.decode(again, 0, again.length), "re-encoded");
      plainDecoded++;
    } catch (IkeParseException e) {
      reject(e);
    }
    try {
      if (m.length >= IkeHeader.LENGTH) {
        PayloadChain.decode(
            m, IkeHeader.LENGTH, m.length - IkeHeader.LENGTH, IkeHeader.nextPayload(m, 0));
      } else {
        PayloadChain.decode(m, 0, m.length, PayloadType.SA);
      }
    } catch (IkeParseException e) {
      reject(e);
    }
    try {
      IkeMessage decoded = IkeMessage.decodeProtected(m, 0, m.length, cipher);
      byte[] again = decoded.encodeProtected(cipher);
      assertEquals(decoded, IkeMessage.decodeProtected(again, 0, again.length, cipher), "resealed");
      protectedDecoded++;
    } catch (IkeParseException e) {
      reject(e);
    }
    try {
      if (reassembler.offer(m, 0, m.length, cipher) != null) {
        reassembled++;
      }
    } catch (IkeParseException e) {
      reject(e);
    }
  }

  private void reject(IkeParseException e) {
    rejections.merge(e.reason(), 1, Integer::sum);
  }

  private static List<Seed> corpus() {
    SkCipher block8 = new TransparentCipher(8, 8, 8);
    SkCipher stream = new TransparentCipher(0, 4, 1);
    List<Seed> corpus = new ArrayList<>();
    IkeMessage everything =
        new IkeMessage(9, 10, ExchangeType.INFORMATIONAL, 0x20, 3, Samples.everyPlainPayload());
    for (IkeMessage m : List.of(Samples.saInitRequest(), Samples.authRequest(), everything)) {
      corpus.add(new Seed(m.encode(), block8));
      corpus.add(new Seed(m.encodeProtected(block8), block8));
      corpus.add(new Seed(m.encodeProtected(stream), stream));
    }
    for (byte[] f : Samples.authRequest().encodeFragments(block8, 400)) {
      corpus.add(new Seed(f, block8));
    }
    for (byte[] f : everything.encodeFragments(stream, 300)) {
      corpus.add(new Seed(f, stream));
    }
    IkeMessage opaque =
        new IkeMessage(
            1,
            2,
            ExchangeType.IKE_AUTH,
            8,
            1,
            List.of(
                NotifyPayload.of(NotifyType.COOKIE, new byte[8]),
                new EncryptedPayload(PayloadType.IDI, Samples.bytes(64, 3))));
    corpus.add(new Seed(opaque.encode(), block8));
    for (String hex :
        List.of(
            StrongSwanCapture.SA_INIT_REQUEST,
            StrongSwanCapture.SA_INIT_RESPONSE,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_1,
            StrongSwanCapture.AUTH_RESPONSE_FRAGMENT_2)) {
      corpus.add(new Seed(StrongSwanCapture.bytes(hex), block8));
    }
    return corpus;
  }

  /** One to three stacked mutations, then usually lengths fixed up so mutants get deeper. */
  private static byte[] mutate(byte[] original, SplittableRandom r) {
    byte[] m = original.clone();
    int rounds = 1 + r.nextInt(3);
    for (int i = 0; i < rounds; i++) {
      m = mutateOnce(m, r);
    }
    if (r.nextInt(4) != 0) {
      fixLengths(m);
    }
    return m;
  }

  private static byte[] mutateOnce(byte[] m, SplittableRandom r) {
    int n = m.length;
    switch (r.nextInt(9)) {
      case 0 -> {
        if (n > 0) {
          m[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> {
        if (n > 0) {
          m[r.nextInt(n)] = (byte) r.nextInt(256);
        }
      }
      case 2 -> {
        int at = r.nextInt(n + 1);
        int k = 1 + r.nextInt(8);
        byte[] out = new byte[n + k];
        System.arraycopy(m, 0, out, 0, at);
        for (int i = 0; i < k; i++) {
          out[at + i] = (byte) r.nextInt(256);
        }
        System.arraycopy(m, at, out, at + k, n - at);
        return out;
      }
      case 3 -> {
        if (n > 0) {
          int at = r.nextInt(n);
          int k = Math.min(n - at, 1 + r.nextInt(8));
          byte[] out = new byte[n - k];
          System.arraycopy(m, 0, out, 0, at);
          System.arraycopy(m, at + k, out, at, n - at - k);
          return out;
        }
      }
      case 4 -> {
        // A 16-bit field overwritten with a boundary value: most hit a length field's neighbours.
        if (n >= 2) {
          int at = r.nextInt(n - 1);
          int v =
              r.nextInt(4) == 0
                  ? r.nextInt(0x10000)
                  : INTERESTING_16[r.nextInt(INTERESTING_16.length)];
          WireWriter.putShort(m, at, v);
        }
      }
      case 5 -> {
        // A generic payload header's length field, found by walking the chain.
        int at = randomPayloadLengthOffset(m, r);
        if (at >= 0) {
          WireWriter.putShort(m, at, INTERESTING_16[r.nextInt(INTERESTING_16.length)]);
        }
      }
      case 6 -> {
        return Arrays.copyOf(m, r.nextInt(n + 1));
      }
      case 7 -> {
        if (n > 2) {
          int from = r.nextInt(n);
          int to = r.nextInt(n);
          int k = Math.min(1 + r.nextInt(16), Math.min(n - from, n - to));
          System.arraycopy(m, from, m, to, k);
        }
      }
      default -> {
        if (n > 0) {
          m[r.nextInt(n)] = (byte) (32 + r.nextInt(24)); // a payload type, known or near
        }
      }
    }
    return m;
  }

  private static int randomPayloadLengthOffset(byte[] m, SplittableRandom r) {
    List<Integer> offsets = new ArrayList<>();
    int at = IkeHeader.LENGTH;
    while (at + 4 <= m.length && offsets.size() < 64) {
      offsets.add(at + 2);
      int length = ((m[at + 2] & 0xFF) << 8) | (m[at + 3] & 0xFF);
      if (length < 4) {
        break;
      }
      at += length;
    }
    return offsets.isEmpty() ? -1 : offsets.get(r.nextInt(offsets.size()));
  }

  private static void fixLengths(byte[] m) {
    if (m.length >= IkeHeader.LENGTH) {
      WireWriter.putInt(m, IkeHeader.LENGTH_OFFSET, m.length);
      int first = IkeHeader.nextPayload(m, 0);
      if (m.length >= IkeHeader.LENGTH + 4
          && (first == PayloadType.SK || first == PayloadType.SKF)) {
        WireWriter.putShort(m, IkeHeader.LENGTH + 2, m.length - IkeHeader.LENGTH);
      }
    }
  }
}
