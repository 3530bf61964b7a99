package dev.vpngw.ha.repl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The replication stream's protection: it carries IKE and ESP keys, so every frame is encrypted and
 * authenticated with AES-256-GCM under keys derived from the pair's shared HA key and two fresh
 * nonces.
 *
 * <pre>
 * handshake   client -> server   "VHR1" | client nonce (16)
 *             server -> client   "VHR1" | server nonce (16)
 * keys        prk = HMAC-SHA256(ha key, "vpngw ha replication" | client nonce | server nonce)
 *             client-to-server key = HMAC-SHA256(prk, "c2s"), server-to-client = HMAC(prk, "s2c")
 * frame       length (4) | AES-256-GCM(plaintext), 16-byte tag; IV = 0 (4) | frame counter (8);
 *             the length is the additional authenticated data
 * </pre>
 *
 * A frame that fails authentication (wrong key, tampering, a replayed or reordered frame: the
 * counter is implicit) ends the stream with an IOException. Fresh nonces per connection mean a
 * recorded session cannot be replayed into another.
 */
final class SecureStream {
  private static final byte[] MAGIC = "VHR1".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE = 16;
  private static final int TAG_BITS = 128;

  private final DataInputStream in;
  private final DataOutputStream out;
  private final SecretKeySpec sendKey;
  private final SecretKeySpec receiveKey;
  private final Cipher cipher;
  private long sent;
  private long received;

  private SecureStream(DataInputStream in, DataOutputStream out, byte[] send, byte[] receive)
      throws IOException {
    this.in = in;
    this.out = out;
    this.sendKey = new SecretKeySpec(send, "AES");
    this.receiveKey = new SecretKeySpec(receive, "AES");
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM unavailable", e);
    }
  }

  /** Runs the handshake on S, as the connecting side when CLIENT. */
  static SecureStream open(Socket s, byte[] haKey, boolean client) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
    byte[] mine = new byte[NONCE];
    new SecureRandom().nextBytes(mine);
    out.write(MAGIC);
    out.write(mine);
    out.flush();
    byte[] magic = new byte[MAGIC.length];
    in.readFully(magic);
    if (!MessageDigest.isEqual(magic, MAGIC)) {
      throw new IOException("not an HA replication peer (bad magic)");
    }
    byte[] theirs = new byte[NONCE];
    in.readFully(theirs);
    byte[] clientNonce = client ? mine : theirs;
    byte[] serverNonce = client ? theirs : mine;
    byte[] prk =
        hmac(
            haKey,
            concat(
                "vpngw ha replication".getBytes(StandardCharsets.US_ASCII),
                clientNonce,
                serverNonce));
    byte[] c2s = hmac(prk, "c2s".getBytes(StandardCharsets.US_ASCII));
    byte[] s2c = hmac(prk, "s2c".getBytes(StandardCharsets.US_ASCII));
    return client ? new SecureStream(in, out, c2s, s2c) : new SecureStream(in, out, s2c, c2s);
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuffer b = ByteBuffer.allocate(parts[0].length + parts[1].length + parts[2].length);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] hmac(byte[] key, byte[] data) throws IOException {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IOException("HmacSHA256 unavailable", e);
    }
  }

  private static GCMParameterSpec iv(long counter) {
    return new GCMParameterSpec(
        TAG_BITS, ByteBuffer.allocate(12).putInt(0).putLong(counter).array());
  }

  /** Encrypts and writes one frame (buffered: call {@link #flush}). */
  void write(byte[] plaintext) throws IOException {
    int length = plaintext.length + TAG_BITS / 8;
    byte[] aad = ByteBuffer.allocate(4).putInt(length).array();
    byte[] sealed;
    try {
      cipher.init(Cipher.ENCRYPT_MODE, sendKey, iv(sent++));
      cipher.updateAAD(aad);
      sealed = cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt a replication frame", e);
    }
    out.write(aad);
    out.write(sealed);
  }

  /** Sends what was written. */
  void flush() throws IOException {
    out.flush();
  }

  /** Reads and decrypts one frame. */
  byte[] read() throws IOException {
    int length = in.readInt();
    if (length < TAG_BITS / 8 || length > Frames.MAX_FRAME) {
      throw new IOException("replication frame length " + length + " out of bounds");
    }
    byte[] sealed = new byte[length];
    in.readFully(sealed);
    try {
      cipher.init(Cipher.DECRYPT_MODE, receiveKey, iv(received++));
      cipher.updateAAD(ByteBuffer.allocate(4).putInt(length).array());
      return cipher.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw new IOException("replication frame failed authentication (wrong HA key or tampered)");
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot decrypt a replication frame", e);
    }
  }

  /** Whether bytes are waiting to be read without blocking. */
  boolean available() throws IOException {
    return in.available() > 0;
  }
}
