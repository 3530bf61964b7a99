package dev.vpngw.ikev2.message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Sample payloads of every type and sample messages, shared by the round-trip and fuzz tests. */
final class Samples {
  private Samples() {}

  static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed + i * 7);
    }
    return b;
  }

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  static SaPayload ikeSa() {
    return SaPayload.of(
        Proposal.ike(
            1,
            new Transform(TransformType.ENCR, TransformType.ENCR_AES_CBC, 256),
            Transform.of(TransformType.PRF, TransformType.PRF_HMAC_SHA2_256),
            Transform.of(TransformType.INTEG, TransformType.AUTH_HMAC_SHA2_256_128),
            Transform.of(TransformType.DH, 14)),
        Proposal.ike(
            2,
            new Transform(TransformType.ENCR, TransformType.ENCR_AES_GCM_16, 128),
            Transform.of(TransformType.PRF, TransformType.PRF_HMAC_SHA2_384),
            Transform.of(TransformType.DH, 19)),
        new Proposal(
            3,
            TransformType.PROTOCOL_IKE,
            bytes(8, 3),
            List.of(Transform.of(TransformType.ENCR, TransformType.ENCR_CHACHA20_POLY1305))));
  }

  static SaPayload espSa() {
    return SaPayload.of(
        Proposal.esp(
            1,
            0xC0FFEE01,
            new Transform(TransformType.ENCR, TransformType.ENCR_AES_GCM_16, 256),
            Transform.of(TransformType.ESN, TransformType.ESN_NO)));
  }

  /** One payload of every type this package models, plus an unknown critical one. */
  static List<Payload> everyPlainPayload() {
    List<Payload> p = new ArrayList<>();
    p.add(ikeSa());
    p.add(espSa());
    p.add(new KePayload(14, bytes(256, 1)));
    p.add(new NoncePayload(bytes(32, 2)));
    p.add(IdPayload.fqdn(true, "gw-a.example"));
    p.add(new IdPayload(false, IdType.ID_IPV4_ADDR, new byte[] {(byte) 192, 0, 2, 2}));
    p.add(new CertPayload(CertPayload.X509_SIGNATURE, bytes(300, 4)));
    p.add(new CertReqPayload(CertReqPayload.X509_SIGNATURE, bytes(40, 5)));
    p.add(new AuthPayload(AuthMethod.SHARED_KEY_MIC, bytes(32, 6)));
    p.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
    p.add(NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20, 7)));
    p.add(NotifyPayload.child(TransformType.PROTOCOL_ESP, 0x01020304, NotifyType.REKEY_SA));
    p.add(DeletePayload.ike());
    p.add(DeletePayload.esp(0x11111111, 0x22222222));
    p.add(new VendorIdPayload(bytes(16, 8)));
    p.add(
        new TsPayload(
            true,
            List.of(
                TrafficSelectorEntry.range(ip("10.1.0.0"), ip("10.1.255.255"), 0, 0, 65535),
                TrafficSelectorEntry.range(ip("2001:db8::"), ip("2001:db8::ffff"), 6, 443, 443))));
    p.add(
        new TsPayload(
            false,
            List.of(TrafficSelectorEntry.range(ip("10.2.0.0"), ip("10.2.255.255"), 17, 0, 65535))));
    p.add(
        new ConfigPayload(
            ConfigPayload.CFG_REPLY,
            List.of(
                new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[] {10, 9, 0, 7}),
                ConfigAttribute.request(ConfigAttribute.INTERNAL_IP6_DNS))));
    p.add(new EapPayload(new byte[] {1, 2, 0, 5, 1}));
    p.add(new UnknownPayload(200, true, bytes(5, 9)));
    p.add(new UnknownPayload(49, false, new byte[0]));
    return p;
  }

  static IkeMessage saInitRequest() {
    return new IkeMessage(
        0x0102030405060708L,
        0,
        ExchangeType.IKE_SA_INIT,
        IkeHeader.FLAG_INITIATOR,
        0,
        List.of(
            ikeSa(),
            new KePayload(14, bytes(256, 1)),
            new NoncePayload(bytes(32, 2)),
            NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20, 3)),
            NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, bytes(20, 4))));
  }

  static IkeMessage authRequest() {
    List<Payload> p = new ArrayList<>();
    p.add(IdPayload.fqdn(true, "gw-a"));
    p.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
    p.add(new CertPayload(CertPayload.X509_SIGNATURE, bytes(700, 4)));
    p.add(new AuthPayload(AuthMethod.DIGITAL_SIGNATURE, bytes(80, 6)));
    p.add(
        new ConfigPayload(
            ConfigPayload.CFG_REQUEST,
            List.of(ConfigAttribute.request(ConfigAttribute.INTERNAL_IP4_ADDRESS))));
    p.add(espSa());
    p.add(
        new TsPayload(
            true,
            List.of(TrafficSelectorEntry.range(ip("10.1.0.0"), ip("10.1.255.255"), 0, 0, 65535))));
    p.add(
        new TsPayload(
            false,
            List.of(TrafficSelectorEntry.range(ip("10.2.0.0"), ip("10.2.255.255"), 0, 0, 65535))));
    p.add(NotifyPayload.of(NotifyType.MOBIKE_SUPPORTED));
    return new IkeMessage(
        0x0102030405060708L,
        0x1112131415161718L,
        ExchangeType.IKE_AUTH,
        IkeHeader.FLAG_INITIATOR,
        1,
        p);
  }
}
