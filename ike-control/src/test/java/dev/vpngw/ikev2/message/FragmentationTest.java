package dev.vpngw.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** IKE fragmentation (RFC 7383): splitting in {@link IkeMessage}, reassembly and its limits. */
class FragmentationTest {
  private static SkCipher cipher() {
    return new AesCbcHmacCipher(Samples.bytes(32, 21), Samples.bytes(32, 22), 5);
  }

  /** An IKE_AUTH request with certificates: about {@code certs} KB of inner payloads. */
  private static IkeMessage withCertificates(int messageId, int certs) {
    List<Payload> p = new ArrayList<>();
    p.add(IdPayload.fqdn(true, "client.example"));
    for (int i = 0; i < certs; i++) {
      p.add(new CertPayload(CertPayload.X509_SIGNATURE, Samples.bytes(1000, i)));
    }
    p.add(new AuthPayload(AuthMethod.DIGITAL_SIGNATURE, Samples.bytes(256, 99)));
    return new IkeMessage(0xAAL, 0xBBL, ExchangeType.IKE_AUTH, 8, messageId, p);
  }

  private static IkeMessage offer(FragmentReassembler r, byte[] d) throws IkeParseException {
    return r.offer(d, 0, d.length, cipher());
  }

  @Test
  void tenKilobytesSplitIntoFittingNumberedFragments() {
    IkeMessage m = withCertificates(1, 10);
    int inner = PayloadChain.encode(m.payloads()).length;
    assertTrue(inner > 10_000);
    List<byte[]> fragments = m.encodeFragments(cipher(), 1280);
    // Room per fragment: 1280 - 28 - 8 - 16 (IV) - 16 (ICV) = 1212 -> 75 whole blocks = 1200
    // bytes of plaintext, the last one the pad length byte: 1199 bytes of inner payloads.
    assertEquals((inner + 1198) / 1199, fragments.size());
    for (int i = 0; i < fragments.size(); i++) {
      byte[] f = fragments.get(i);
      assertTrue(f.length <= 1280, "fragment " + (i + 1) + " has " + f.length + " bytes");
      assertEquals(PayloadType.SKF, IkeHeader.nextPayload(f, 0));
      assertEquals(f.length, IkeHeader.length(f, 0));
      assertEquals(1, IkeHeader.messageId(f, 0));
      assertEquals(i == 0 ? PayloadType.IDI : PayloadType.NONE, f[28] & 0xFF);
      assertEquals(i + 1, ((f[32] & 0xFF) << 8) | (f[33] & 0xFF));
      assertEquals(fragments.size(), ((f[34] & 0xFF) << 8) | (f[35] & 0xFF));
    }
    assertEquals(28 + 8 + 16 + 1200 + 16, fragments.getFirst().length, "whole blocks only");
  }

  @Test
  void reassemblesShuffledFragmentsWithDuplicates() throws IkeParseException {
    IkeMessage m = withCertificates(1, 10);
    List<byte[]> fragments = m.encodeFragments(cipher(), 1280);
    List<byte[]> arrival = new ArrayList<>(fragments);
    arrival.addAll(fragments.subList(0, 4));
    Collections.shuffle(arrival, new Random(7));
    FragmentReassembler r = new FragmentReassembler();
    IkeMessage result = null;
    int seen = 0;
    for (byte[] f : arrival) {
      IkeMessage out = offer(r, f);
      if (out != null) {
        assertNull(result, "reassembled twice");
        result = out;
        seen++;
      }
      if (result != null) {
        break;
      }
    }
    assertEquals(1, seen);
    assertEquals(m, result);
    assertFalse(r.inProgress());
  }

  @Test
  void smallMessageIsOneOrdinarySkDatagram() throws IkeParseException {
    IkeMessage m = Samples.authRequest();
    List<byte[]> out = m.encodeFragments(cipher(), 1280);
    assertEquals(1, out.size());
    assertEquals(PayloadType.SK, IkeHeader.nextPayload(out.getFirst(), 0));
    assertEquals(m, IkeMessage.decodeProtected(out.getFirst(), 0, out.getFirst().length, cipher()));
  }

  @Test
  void tamperedFragmentIsDiscardedAndTheGenuineOneStillCompletes() throws IkeParseException {
    IkeMessage m = withCertificates(2, 3);
    List<byte[]> fragments = m.encodeFragments(cipher(), 1280);
    assertEquals(3, fragments.size());
    FragmentReassembler r = new FragmentReassembler();
    assertNull(offer(r, fragments.get(0)));
    byte[] forged = fragments.get(1).clone();
    forged[100] ^= 0x40;
    IkeParseException e = assertThrows(IkeParseException.class, () -> offer(r, forged));
    assertEquals(Reason.INTEGRITY_CHECK_FAILED, e.reason());
    // A forged fragment for a new message must not reset the one held either.
    byte[] otherMessage = fragments.get(2).clone();
    WireWriter.putInt(otherMessage, IkeHeader.MESSAGE_ID_OFFSET, 3);
    assertEquals(
        Reason.INTEGRITY_CHECK_FAILED,
        assertThrows(IkeParseException.class, () -> offer(r, otherMessage)).reason());
    assertNull(offer(r, fragments.get(1)));
    assertEquals(m, offer(r, fragments.get(2)));
  }

  @Test
  void moreThanSixtyFourFragmentsAreRejected() throws IkeParseException {
    IkeMessage m = withCertificates(1, 10);
    List<byte[]> fragments = m.encodeFragments(cipher(), 200);
    assertTrue(fragments.size() > FragmentReassembler.MAX_FRAGMENTS, "" + fragments.size());
    FragmentReassembler r = new FragmentReassembler();
    IkeParseException e = assertThrows(IkeParseException.class, () -> offer(r, fragments.get(0)));
    assertEquals(Reason.MALFORMED, e.reason());
    assertFalse(r.inProgress());
    // With a block size of 1 every byte of room carries content: size the fragments for 64.
    SkCipher plain = new TransparentCipher(0, 0, 1);
    int inner = PayloadChain.encode(m.payloads()).length;
    int chunk = (inner + 63) / 64;
    List<byte[]> sixtyFour = m.encodeFragments(plain, 36 + chunk + 1);
    assertEquals(FragmentReassembler.MAX_FRAGMENTS, sixtyFour.size(), "the limit itself is fine");
    IkeMessage result = null;
    for (byte[] f : sixtyFour) {
      result = r.offer(f, 0, f.length, plain);
    }
    assertEquals(m, result);
  }

  @Test
  void reassembledSizeIsBounded() throws IkeParseException {
    IkeMessage huge = withCertificates(4, 70);
    List<byte[]> fragments = huge.encodeFragments(cipher(), 1300);
    assertTrue(fragments.size() <= FragmentReassembler.MAX_FRAGMENTS);
    FragmentReassembler r = new FragmentReassembler();
    int rejected = 0;
    for (byte[] f : fragments) {
      try {
        assertNull(offer(r, f));
      } catch (IkeParseException e) {
        assertEquals(Reason.MALFORMED, e.reason());
        rejected++;
      }
    }
    assertEquals(1, rejected, "the fragment that crosses 64 KiB drops the reassembly");
  }

  @Test
  void largerTotalRestartsAndSmallerTotalIsStale() throws IkeParseException {
    IkeMessage m = withCertificates(5, 3);
    List<byte[]> coarse = m.encodeFragments(cipher(), 1280);
    List<byte[]> fine = m.encodeFragments(cipher(), 700);
    assertEquals(3, coarse.size());
    assertTrue(fine.size() > coarse.size());
    FragmentReassembler r = new FragmentReassembler();
    assertNull(offer(r, coarse.get(0)));
    assertNull(offer(r, coarse.get(1)));
    // The sender re-fragmented smaller (RFC 7383 2.6): start over with the new set.
    for (int i = 0; i < fine.size() - 1; i++) {
      assertNull(offer(r, fine.get(i)));
    }
    assertNull(offer(r, coarse.get(2)), "a fragment of the old, smaller set is ignored");
    assertEquals(m, offer(r, fine.getLast()));
  }

  @Test
  void newMessageIdReplacesAnUnfinishedOne() throws IkeParseException {
    List<byte[]> first = withCertificates(6, 3).encodeFragments(cipher(), 1280);
    List<byte[]> second = withCertificates(7, 3).encodeFragments(cipher(), 1280);
    FragmentReassembler r = new FragmentReassembler();
    assertNull(offer(r, first.get(0)));
    assertNull(offer(r, first.get(1)));
    assertNull(offer(r, second.get(2)));
    assertNull(offer(r, first.get(2)), "message 7 was dropped: 6 starts anew");
    assertNull(offer(r, second.get(0)));
    assertNull(offer(r, second.get(1)));
    assertEquals(withCertificates(7, 3), offer(r, second.get(2)));
    assertNull(offer(r, second.get(0)));
    assertNull(offer(r, second.get(1)));
    assertTrue(r.inProgress());
    r.reset();
    assertFalse(r.inProgress());
    assertNull(offer(r, second.get(2)), "what was held before reset() is gone");
  }

  @Test
  void onlyWellFormedFragmentsAreAccepted() {
    FragmentReassembler r = new FragmentReassembler();
    byte[] sk = Samples.authRequest().encodeProtected(cipher());
    assertEquals(
        Reason.MALFORMED, assertThrows(IkeParseException.class, () -> offer(r, sk)).reason());
    byte[] f = withCertificates(1, 3).encodeFragments(cipher(), 1280).getFirst();
    byte[] beyond = f.clone();
    WireWriter.putShort(beyond, 32, 4); // fragment 4 of 3
    assertEquals(
        Reason.MALFORMED, assertThrows(IkeParseException.class, () -> offer(r, beyond)).reason());
    byte[] zero = f.clone();
    WireWriter.putShort(zero, 32, 0);
    assertEquals(
        Reason.MALFORMED, assertThrows(IkeParseException.class, () -> offer(r, zero)).reason());
    byte[] shortPayload = f.clone();
    WireWriter.putShort(shortPayload, 30, f.length - 29);
    assertEquals(
        Reason.MALFORMED,
        assertThrows(IkeParseException.class, () -> offer(r, shortPayload)).reason());
  }

  @Test
  void tooSmallDatagramSizeIsAnArgumentError() {
    IkeMessage m = withCertificates(1, 1);
    // 36 header bytes + 16 IV + 16 ICV + one 16-byte block = 84: 15 inner bytes per fragment.
    assertThrows(IllegalArgumentException.class, () -> m.encodeFragments(cipher(), 83));
    int inner = PayloadChain.encode(m.payloads()).length;
    assertEquals((inner + 14) / 15, m.encodeFragments(cipher(), 84).size());
    List<byte[]> tiny = Samples.authRequest().encodeFragments(new TransparentCipher(0, 0, 1), 40);
    assertEquals(
        (PayloadChain.encode(Samples.authRequest().payloads()).length + 2) / 3, tiny.size());
  }
}
