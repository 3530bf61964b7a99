package dev.vpngw.benchmarks;

import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.libcrypto.LibCrypto;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The denominator of the ESP figures: the bare AES-128-GCM seal of one message of the same size, on
 * the same kind of off-heap buffer, through the same engine, with no ESP work at all. OpenSSL: one
 * context keyed once, per message only IV, 8-byte AAD, in-place update, final and tag read. JDK:
 * {@code Cipher.init} with a fresh 12-byte nonce (GCM refuses a reused one), 8-byte AAD, {@code
 * doFinal} in place on the direct buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RawAeadBenchmark {
  private static final int AAD = 8;
  private static final int NONCE = 12;
  private static final int TAG = 16;
  private static final ValueLayout.OfLong BIG_ENDIAN_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

  @Param({"openssl", "jdk"})
  public String engine;

  @Param({"64", "512", "1400", "IMIX"})
  public String size;

  private Arena arena;
  private PacketBuffer work;
  private int[] sizes;
  private int next;
  private long counter;

  // OpenSSL state
  private long ctx;
  private long scratch;
  private MemorySegment scratchSegment;

  // JDK state
  private Cipher cipher;
  private SecretKeySpec key;
  private byte[] nonce;
  private byte[] aad;
  private ByteBuffer in;
  private ByteBuffer out;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    sizes = BenchSuites.sizes(size);
    arena = Arena.ofShared();
    work = PacketBuffer.allocate(arena, 2048);
    byte[] keyBytes = new byte[16];
    new Random(7).nextBytes(keyBytes);
    if ("openssl".equals(engine)) {
      LibCrypto.ensureAvailable();
      // scratch: nonce (12) | tag (16) | out length (4), off-heap, allocated once
      scratchSegment = arena.allocate(64, 16);
      scratch = scratchSegment.address();
      MemorySegment k = arena.allocate(16);
      k.copyFrom(MemorySegment.ofArray(keyBytes));
      long gcm = LibCrypto.fetchCipher("AES-128-GCM");
      ctx = LibCrypto.newCipherContext();
      LibCrypto.cipherInit(ctx, gcm, 0L, 0L, LibCrypto.ENCRYPT);
      LibCrypto.cipherSetIvLength(ctx, NONCE);
      LibCrypto.cipherInit(ctx, 0L, k.address(), 0L, LibCrypto.KEEP_DIRECTION);
      LibCrypto.freeCipher(gcm);
    } else if ("jdk".equals(engine)) {
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
      key = new SecretKeySpec(keyBytes, "AES");
      nonce = new byte[NONCE];
      aad = new byte[AAD];
      in = work.byteBuffer().duplicate();
      out = work.byteBuffer().duplicate();
    } else {
      throw new IllegalArgumentException("unknown engine " + engine);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (ctx != 0) {
      LibCrypto.freeCipherContext(ctx);
    }
    arena.close();
  }

  /** Seals one message in place and writes its tag after it. */
  @Benchmark
  public int seal() throws Exception {
    int i = next;
    next = i + 1 == sizes.length ? 0 : i + 1;
    int n = sizes[i];
    long text = work.address() + AAD;
    long c = ++counter;
    if (ctx != 0) {
      // a fresh nonce per message, as ESP gives one (salt | 64-bit counter)
      scratchSegment.set(BIG_ENDIAN_LONG, 4, c);
      LibCrypto.cipherSetIv(ctx, scratch);
      LibCrypto.cipherUpdate(ctx, 0L, scratch + 28, work.address(), AAD);
      LibCrypto.cipherUpdate(ctx, text, scratch + 28, text, n);
      LibCrypto.cipherFinal(ctx, text + n, scratch + 28);
      return LibCrypto.cipherCtrl(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG, text + n);
    }
    for (int b = 0; b < 8; b++) {
      nonce[4 + b] = (byte) (c >>> (56 - 8 * b));
    }
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
    cipher.updateAAD(aad);
    in.limit(AAD + n).position(AAD);
    out.limit(AAD + n + TAG).position(AAD);
    return cipher.doFinal(in, out);
  }
}
