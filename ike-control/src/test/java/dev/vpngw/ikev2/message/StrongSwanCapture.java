package dev.vpngw.ikev2.message;

import java.util.HexFormat;

/**
 * A real IKEv2 exchange between two strongSwan 5.9.8 charons (Debian's {@code
 * /usr/lib/ipsec/charon}, kernel-libipsec), captured with tcpdump on the veth between two network
 * namespaces set up by {@code /work/shared/peers/strongswan/up.sh}, with {@code
 * IKE_PROPOSAL=aes256-sha256-modp2048}, {@code fragment_size = 220} so that IKE_AUTH is fragmented
 * (RFC 7383), and {@code ike = 4} logging so that the derived keys could be read from charon.log.
 * Initiator gw-a at 192.0.2.1, responder gw-b at 192.0.2.2, PSK authentication, child SA
 * 10.1.0.0/16 === 10.2.0.0/16. The non-ESP marker of the port 4500 datagrams is removed; the rest
 * is the UDP payload as sent.
 */
final class StrongSwanCapture {
  private StrongSwanCapture() {}

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
  }

  /** SK_ei: AES-256-CBC key of the initiator-to-responder direction. */
  static final String SK_EI = "7d77146a3dea29ff7d65d95b3d993b7faf880ee5271e9beda88422a6c9247d44";

  /** SK_ai: HMAC-SHA2-256-128 key of the initiator-to-responder direction. */
  static final String SK_AI = "a2a767643d70560be4c03e965bbe8c047b8b0b6a4fa523573304c7b63c309ad1";

  /** SK_er: AES-256-CBC key of the responder-to-initiator direction. */
  static final String SK_ER = "5de5518dafd49db58efd67cc6efd14ba5494c9b8501ff926dbd998c4ed75f01f";

  /** SK_ar: HMAC-SHA2-256-128 key of the responder-to-initiator direction. */
  static final String SK_AR = "a8297f098a9579c8a4367de2bc135b4d0ee7314dd8491272f0ae4fa5c818aaf1";

  static final String SA_INIT_REQUEST =
      """
      577b7afa26dfbd4300000000000000002120220800000000000001d0220000300000002c010100040300000c0100000c
      800e0100030000080300000c0300000802000005000000080400000e28000108000e00003cf6084e3c5d2829e9c07e82
      c66b400057e33394e03da1259e5c1f33e2e5b892958d114a92a40f43e09189a84ffc14f0aa81960984fbf9ad067992b8
      f38ffe08601135bcd268a7fba2cf0a4ae56a6d7ad11016559dd464d1ed42d9732094e66d5f53eb037154b34f823493ed
      5966e92f5f8e3c11ef7722ba0d3d701540183646061548044c4e3f79c09a1cf28f3e43dabbb6bc1e4ad9bec6e931a6fc
      a801723b337a0898a2ee5e38f635f0bc618dc05d3462c8da32329ba165a2e549ecbf1f750ae5704d332c988239fbfaf1
      594eef73ed0d4011ef9c32deacfd908df48ac1afd4257bd770aca9ec29db51f0f75d2b0b06699a116a3d36b5c44ea87a
      53995113290000241b628f5ebc0d56b3d2b98ae5d0115a55c752870e1b8d9efe7d346915e25c1f452900001c00004004
      eb81c63adb25811705d82ae0a54730d62ad60a712900001c000040054a46772261c3594204f939bd6db02b7904777112
      290000080000402e290000100000402f00020003000400050000000800004016
      """;

  static final String SA_INIT_RESPONSE =
      """
      577b7afa26dfbd434eb2bee48dd05f0d2120222000000000000001d8220000300000002c010100040300000c0100000c
      800e0100030000080300000c0300000802000005000000080400000e28000108000e000087f4bcdf6bcee688810a980a
      9fde4e96abe96d8a115c597cf19aee14b06d587314984b349f1a80958c038536e7471af9252c31b3f8b5ab07554016b2
      daf241d55f7615e99393083d12150decead5a5dafee9e54935973b3a6c7ef980d847d2f002769868e367a6751aeaf069
      ecd393bbabc9e3d50248514552f2ae58c4104414dde2eb136e2fedbf122c78c3b839b411699954489fb259cf684a459e
      775bfda6294cd0a8b6e6915618ccfd5379c621a6c109573340b437289eb92c9f39397ac7e7b4c7a9082e9f4d6da12e73
      322ef703e76d62ed9fdf1132acc29c2c68a5311a2732de86ea58c9d108b5abd597ad2ad69f65de671f0ef65500d16fd8
      f15fec0d2900002400f75092217cbd46cb7f277a2d0a5e0229ab613c63305c41db79ea85d7ea5c232900001c00004004
      052287e2300fd1426b85cdbc789a22d96f29414f2900001c00004005bd97bd908889d3f726d31b856a43647ecd9e9d7e
      290000080000402e290000100000402f000200030004000529000008000040220000000800004014
      """;

  static final String AUTH_REQUEST_FRAGMENT_1 =
      """
      577b7afa26dfbd434eb2bee48dd05f0d3520230800000001000000b42300009800010003646886a71dbb71b190caa6e2
      737d2cd0809918fbb919688edfe148ea713eb22e46d196c14c3d0eeb685d83fd37e4145ea0128bc8870073c5bc713729
      d4d8a8453352e44fc9998a77bd9b20c4abac88abf85560b693d277673a006bddcc6e9cee85ee4a411cc888e74b016c5b
      396317b6c4ec274459158a8c3e0bb4e396864bf54df3a72e5eaaf032c6d055db7a53bc09
      """;

  static final String AUTH_REQUEST_FRAGMENT_2 =
      """
      577b7afa26dfbd434eb2bee48dd05f0d3520230800000001000000b40000009800020003a85453da4ad2d850788439c5
      476c86c9895c5b494c2fab48731ae5fb3fe6635582faf28e7b319ed484dcba280f6bf1deef77314155a32fd7d7e72e1e
      b5ceab5907fd87d110bac726963a6124bad95a808ded1a1db7bcb5eae3080a4cc714efc739beb2021bb7595b98790c1f
      b3bf04067664a334fa080af38ca00913c7852ad51042aa669336e105be8581b9a84be862
      """;

  static final String AUTH_REQUEST_FRAGMENT_3 =
      """
      577b7afa26dfbd434eb2bee48dd05f0d352023080000000100000054000000380003000310e62ef4b6207735291a27f5
      7f5cb7dd121056c7aa71cf2dd852e53e6895eae236b08b30fa1e3efde1ee49a2ab1748a5
      """;

  static final String AUTH_RESPONSE_FRAGMENT_1 =
      """
      577b7afa26dfbd434eb2bee48dd05f0d3520232000000001000000b4240000980001000263696f01a3c1ef9abc4c252c
      835ad378202b0ea909750d71062a85827a8a5c1e4f214bf00122db64971eb7adad22dfaf881450cd61f682514f6999cf
      ec83c3b13d5cf2eff7a74978d3e541097b4b616a8bfa5ccd234271754e64225724cda2ae547bc6fdd28078221dac876b
      ea64f9b2e08fc4a37a3e4e69a3e41d00486548f0ea26806c411cd79c1a54a5e1e147abca
      """;

  static final String AUTH_RESPONSE_FRAGMENT_2 =
      """
      577b7afa26dfbd434eb2bee48dd05f0d35202320000000010000007400000058000200028bb029ed334abf13cef2a4b1
      732d5036fee9bdb764dad9fbd4f349cd3f4ce973629befa0e940bf423e3956546d70e35ed0b1c35932386423926baec3
      ad38dcf425986d306a068d0ee493adf085f880f1
      """;
}
