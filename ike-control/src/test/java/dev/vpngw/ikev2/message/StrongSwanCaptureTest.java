package dev.vpngw.ikev2.message;

import static dev.vpngw.ikev2.message.StrongSwanCapture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpngw.ikev2.message.IkeParseException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decodes a real strongSwan exchange (see {@link StrongSwanCapture}): the clear IKE_SA_INIT pair
 * byte for byte, and the fragmented IKE_AUTH pair with the keys charon derived. What the decoded
 * payloads must be comes from charon's own log lines, for example {@code generating IKE_AUTH
 * request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(MULT_AUTH)
 * N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]} and {@code CHILD_SA net{2} established with SPIs 9d818b3b_i
 * 89c7a0eb_o}.
 */
class StrongSwanCaptureTest {
  private static final long SPI_I = 0x577b7afa26dfbd43L;
  private static final long SPI_R = 0x4eb2bee48dd05f0dL;

  private static SkCipher initiatorCipher() {
    return new AesCbcHmacCipher(bytes(StrongSwanCapture.SK_EI), bytes(StrongSwanCapture.SK_AI), 7);
  }

  private static SkCipher responderCipher() {
    return new AesCbcHmacCipher(bytes(StrongSwanCapture.SK_ER), bytes(StrongSwanCapture.SK_AR), 7);
  }

  private static List<Integer> types(IkeMessage m) {
    return m.payloads().stream()
        .map(p -> p instanceof NotifyPayload n ? -n.notifyType() : p.type())
        .toList();
  }

  private static IkeMessage reassemble(SkCipher cipher, String... fragments)
      throws IkeParseException {
    FragmentReassembler r = new FragmentReassembler();
    IkeMessage result = null;
    for (int i = 0; i < fragments.length; i++) {
      byte[] d = bytes(fragments[i]);
      result = r.offer(d, 0, d.length, cipher);
      if (i < fragments.length - 1) {
        assertNull(result, "complete before the last fragment");
      }
    }
    return result;
  }

  @Test
  void ikeSaInitRequestDecodesAndReencodesByteForByte() throws IkeParseException {
    byte[] d = bytes(StrongSwanCapture.SA_INIT_REQUEST);
    IkeMessage m = IkeMessage.decode(d, 0, d.length);
    assertEquals(SPI_I, m.initiatorSpi());
    assertEquals(0, m.responderSpi());
    assertEquals(ExchangeType.IKE_SA_INIT, m.exchangeType());
    assertEquals(IkeHeader.FLAG_INITIATOR, m.flags());
    assertEquals(0, m.messageId());
    // SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP)
    assertEquals(
        List.of(
            PayloadType.SA,
            PayloadType.KE,
            PayloadType.NONCE,
            -NotifyType.NAT_DETECTION_SOURCE_IP,
            -NotifyType.NAT_DETECTION_DESTINATION_IP,
            -NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
            -NotifyType.SIGNATURE_HASH_ALGORITHMS,
            -NotifyType.REDIRECT_SUPPORTED),
        types(m));
    // aes256-sha256-modp2048, in strongSwan's transform order
    assertEquals(
        SaPayload.of(
            Proposal.ike(
                1,
                new Transform(TransformType.ENCR, TransformType.ENCR_AES_CBC, 256),
                Transform.of(TransformType.INTEG, TransformType.AUTH_HMAC_SHA2_256_128),
                Transform.of(TransformType.PRF, TransformType.PRF_HMAC_SHA2_256),
                Transform.of(TransformType.DH, 14))),
        m.first(SaPayload.class));
    assertEquals(14, m.first(KePayload.class).dhGroup());
    assertEquals(256, m.first(KePayload.class).data().length);
    assertEquals(32, m.first(NoncePayload.class).nonce().length);
    assertEquals(20, m.notify(NotifyType.NAT_DETECTION_SOURCE_IP).data().length);
    // RFC 7427 4: SHA2-256, SHA2-384, SHA2-512, Identity
    assertArrayEquals(
        new byte[] {0, 2, 0, 3, 0, 4, 0, 5}, m.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS).data());
    assertArrayEquals(d, m.encode());
  }

  @Test
  void ikeSaInitResponseDecodesAndReencodesByteForByte() throws IkeParseException {
    byte[] d = bytes(StrongSwanCapture.SA_INIT_RESPONSE);
    IkeMessage m = IkeMessage.decode(d, 0, d.length);
    assertEquals(SPI_R, m.responderSpi());
    assertEquals(IkeHeader.FLAG_RESPONSE, m.flags());
    // SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH)
    assertEquals(
        List.of(
            PayloadType.SA,
            PayloadType.KE,
            PayloadType.NONCE,
            -NotifyType.NAT_DETECTION_SOURCE_IP,
            -NotifyType.NAT_DETECTION_DESTINATION_IP,
            -NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
            -NotifyType.SIGNATURE_HASH_ALGORITHMS,
            -NotifyType.CHILDLESS_IKEV2_SUPPORTED,
            -NotifyType.MULTIPLE_AUTH_SUPPORTED),
        types(m));
    assertArrayEquals(d, m.encode());
  }

  @Test
  void fragmentedIkeAuthRequestReassemblesInAnyOrder() throws IkeParseException {
    IkeMessage inOrder =
        reassemble(
            initiatorCipher(),
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_1,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_2,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_3);
    IkeMessage shuffled =
        reassemble(
            initiatorCipher(),
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_3,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_1,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_2);
    assertEquals(inOrder, shuffled);
    IkeMessage m = inOrder;
    assertEquals(ExchangeType.IKE_AUTH, m.exchangeType());
    assertEquals(1, m.messageId());
    assertEquals(SPI_I, m.initiatorSpi());
    assertEquals(SPI_R, m.responderSpi());
    assertEquals(
        List.of(
            PayloadType.IDI,
            -NotifyType.INITIAL_CONTACT,
            PayloadType.IDR,
            PayloadType.AUTH,
            PayloadType.SA,
            PayloadType.TSI,
            PayloadType.TSR,
            -NotifyType.MOBIKE_SUPPORTED,
            -NotifyType.ADDITIONAL_IP4_ADDRESS,
            -NotifyType.MULTIPLE_AUTH_SUPPORTED,
            -NotifyType.EAP_ONLY_AUTHENTICATION,
            -NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
        types(m));
    assertEquals(IdPayload.fqdn(true, "gw-a"), m.first(IdPayload.class));
    assertEquals(IdPayload.fqdn(false, "gw-b"), m.all(IdPayload.class).get(1));
    AuthPayload auth = m.first(AuthPayload.class);
    assertEquals(AuthMethod.SHARED_KEY_MIC, auth.method());
    assertEquals(32, auth.data().length, "prf-hmac-sha256 output");
    // esp_proposals = aes128gcm16,aes256gcm16; the SPI is gw-a's inbound SPI 9d818b3b
    assertEquals(
        SaPayload.of(
            Proposal.esp(
                1,
                0x9d818b3b,
                new Transform(TransformType.ENCR, TransformType.ENCR_AES_GCM_16, 128),
                Transform.of(TransformType.ESN, TransformType.ESN_NO)),
            Proposal.esp(
                2,
                0x9d818b3b,
                new Transform(TransformType.ENCR, TransformType.ENCR_AES_GCM_16, 256),
                Transform.of(TransformType.ESN, TransformType.ESN_NO))),
        m.first(SaPayload.class));
    TsPayload tsi = m.all(TsPayload.class).get(0);
    assertEquals(
        List.of(
            TrafficSelectorEntry.range(
                Samples.ip("10.1.0.0"), Samples.ip("10.1.255.255"), 0, 0, 65535)),
        tsi.selectors());
    assertEquals(
        "10.2.0.0..10.2.255.255 proto 0 ports 0..65535",
        m.all(TsPayload.class).get(1).selectors().getFirst().toString());
    assertEquals(
        "10.1.0.1",
        TrafficSelectorEntry.address(m.notify(NotifyType.ADDITIONAL_IP4_ADDRESS).data()));
  }

  @Test
  void fragmentedIkeAuthResponseCarriesTheChosenProposal() throws IkeParseException {
    IkeMessage m =
        reassemble(
            responderCipher(),
            StrongSwanCapture.AUTH_RESPONSE_FRAGMENT_2,
            StrongSwanCapture.AUTH_RESPONSE_FRAGMENT_1);
    assertEquals(IkeHeader.FLAG_RESPONSE, m.flags());
    // IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR)
    assertEquals(
        List.of(
            PayloadType.IDR,
            PayloadType.AUTH,
            PayloadType.SA,
            PayloadType.TSI,
            PayloadType.TSR,
            -NotifyType.MOBIKE_SUPPORTED,
            -NotifyType.ADDITIONAL_IP4_ADDRESS),
        types(m));
    // The responder's inbound SPI is gw-a's outbound one, 89c7a0eb.
    assertEquals(
        SaPayload.of(
            Proposal.esp(
                1,
                0x89c7a0eb,
                new Transform(TransformType.ENCR, TransformType.ENCR_AES_GCM_16, 128),
                Transform.of(TransformType.ESN, TransformType.ESN_NO))),
        m.first(SaPayload.class));
  }

  @Test
  void theOtherDirectionsKeysFailTheIcv() {
    byte[] d = bytes(StrongSwanCapture.AUTH_REQUEST_FRAGMENT_1);
    IkeParseException e =
        assertThrows(
            IkeParseException.class,
            () -> new FragmentReassembler().offer(d, 0, d.length, responderCipher()));
    assertEquals(Reason.INTEGRITY_CHECK_FAILED, e.reason());
  }

  @Test
  void ourFragmentsOfTheirMessageReassembleToIt() throws IkeParseException {
    IkeMessage m =
        reassemble(
            initiatorCipher(),
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_1,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_2,
            StrongSwanCapture.AUTH_REQUEST_FRAGMENT_3);
    List<byte[]> ours = m.encodeFragments(initiatorCipher(), 180);
    assertEquals(3, ours.size(), "180-byte datagrams, as strongSwan sent");
    FragmentReassembler r = new FragmentReassembler();
    assertNull(r.offer(ours.get(0), 0, ours.get(0).length, initiatorCipher()));
    assertNull(r.offer(ours.get(1), 0, ours.get(1).length, initiatorCipher()));
    assertEquals(m, r.offer(ours.get(2), 0, ours.get(2).length, initiatorCipher()));
  }
}
