package dev.vpngw.ikev2.crypto;

import java.util.HexFormat;
import java.util.Map;

/**
 * Real IKEv2 key material from strongSwan, for cross-checking our RFC 7296 key derivation (there
 * are no published SKEYSEED vectors).
 *
 * <p>Where the numbers come from: two strongSwan 5.9.8 charons (Debian 12 packages 5.9.8-5+deb12u6,
 * openssl plugin) in two throwaway network namespaces joined by a veth pair, PSK authentication
 * with the secret "ckv-vector-psk" and identities gw-a (initiator) and gw-b, filelog levels {@code
 * ike = 4, enc = 3, net = 3, chd = 4}. With those levels charon logs the shared Diffie-Hellman
 * secret, SKEYSEED, every SK_* key, the AUTH octets and the PSK AUTH value, the child SA keys, and
 * the IKE messages before encryption and as received. Each suite is one {@code swanctl --initiate}
 * followed by {@code swanctl --rekey --ike}; the "re_" entries are the rekeyed IKE SA's (RFC 7296
 * 2.18) values. Ni, Nr and the SPIs were read from the logged messages; "authReq"/"authResp" are
 * the IKE_AUTH request and response as received (without the 4-byte non-ESP marker of port 4500)
 * and "...Plain" their decrypted SK content as charon logged it (plaintext, padding and pad
 * length). The child SA was ESP AES-GCM-16-128, so "chdEi"/"chdEr" are 16-byte keys with their
 * 4-byte salts.
 */
final class StrongSwanVectors {
  private StrongSwanVectors() {}

  /** One captured IKE SA and its rekey. */
  record Suite(
      String proposal,
      Prf prf,
      IkeEncryption encr,
      int encrKeyBits,
      IkeIntegrity integ,
      Map<String, String> values) {

    byte[] bytes(String key) {
      String hex = values.get(key);
      if (hex == null) {
        throw new IllegalArgumentException("no " + key + " in " + proposal);
      }
      return HexFormat.of().parseHex(hex);
    }

    long spi(String key) {
      return HexFormat.fromHexDigitsToLong(values.get(key));
    }
  }

  /** IKE proposal aes256-sha256-ecp256. */
  static final Suite CBC_SHA256_ECP256 =
      new Suite(
          "aes256-sha256-ecp256",
          Prf.HMAC_SHA2_256,
          IkeEncryption.AES_CBC,
          256,
          IkeIntegrity.HMAC_SHA2_256_128,
          Map.ofEntries(
              Map.entry("spiI", "dd9c393d4e3a41d1"),
              Map.entry("spiR", "f45180fa7c659694"),
              Map.entry("ni", "eade3e582b0499acf2eedc2e39168f6b27713cc6149d56330d084c157f93cbfd"),
              Map.entry("nr", "84513ae301eb4239672701e1e8dc78314decf075fa2854016193b73540577a73"),
              Map.entry("gir", "50c3549086a143f19e844e123d8ed7bd72ea171e8794cc2a3e8ffc994db2e29a"),
              Map.entry(
                  "skeyseed", "f5fdfd18de6e9560de81fd94d4be308ea02c96ae8d70cae1393695af87502705"),
              Map.entry(
                  "re_skeyseed",
                  "22873dc98adbce4b48b4c66eb1aa686b0a0e08a83b2c1f2c58e4e44392a75ca2"),
              Map.entry("skD", "dd959b3a9c935732af9c9500ee8c983eb0a36954283ff4cdb7fb5cf5ccc45890"),
              Map.entry(
                  "re_skD", "c83f649fd8cb277bfaffb7a4edfba6b080833c9819b7e3f9600b97048c596d42"),
              Map.entry("skAi", "3542be99d4338540504c8e7d73019c747800dd1d384d93dc73fb82a356a47934"),
              Map.entry(
                  "re_skAi", "f0c74d8e0edadfb5b29823df10d54b4b74491ebbfa948a6038f18c8ff280a43f"),
              Map.entry("skAr", "aa5bc75860215823ac78968e703e22c3085b8770045019e7c34f905f1396b01e"),
              Map.entry(
                  "re_skAr", "d3b5f439514161778b65f1b71abf54f06010ef41a034a56e361b184a4bc14f11"),
              Map.entry("skEi", "6a4dae1b594702376fbcbc85a3d7fd7e478c42b716b2b65888d0a7a7911d291e"),
              Map.entry(
                  "re_skEi", "16c5eb1a7a057cec9f09eb659283339e45db4463c0b464f2cf3c3b1bb1cd4547"),
              Map.entry("skEr", "012d08ff5b49466b38d6e10f018a91a2a0c53121a43d1e47ac2649db3611f89d"),
              Map.entry(
                  "re_skEr", "b1ea83e19733c1c93abdff4849de7efe7c15928d00ba9a47972a9c735440b443"),
              Map.entry("skPi", "37e727d5ef07181378140351d9bcc9e47242d014a2e62d186fc2538537f32cc5"),
              Map.entry(
                  "re_skPi", "1fb0845fb41fdb0044603a9ea1adf38bc309e337898bad9e565f7c0bc5f7ae18"),
              Map.entry("skPr", "cd06e4f38480a481676c72936d3dd4ccbf72f7d4ab0d3eea38e353f62e50db47"),
              Map.entry(
                  "re_skPr", "36ebb449cd018c4b55ee8d009a2be722cb409974fd23fcf2c2ff841e916c8954"),
              Map.entry("idi", "0200000067772d61"),
              Map.entry(
                  "octetsI",
                  "dd9c393d4e3a41d1000000000000000021202208000000000000011022000030"
                      + "0000002c010100040300000c0100000c800e0100030000080300000c03000008"
                      + "0200000500000008040000132800004800130000398fd9c732d7b64b172ac845"
                      + "2c2e7dd9b7812de24d9611c5e2f788f1d033cac56994ec2af549295336124550"
                      + "1f7a8c7fd129b19ab2e523f0c0225b2b4fd48e9729000024eade3e582b0499ac"
                      + "f2eedc2e39168f6b27713cc6149d56330d084c157f93cbfd2900001c00004004"
                      + "8c2b7b9e3860292baf9e158f56a8aae9eb7022182900001c00004005bccb47f6"
                      + "38bee5bc5dc1a63dec1f48aa757d3fa6290000080000402e290000100000402f"
                      + "0002000300040005000000080000401684513ae301eb4239672701e1e8dc7831"
                      + "4decf075fa2854016193b73540577a731fad8b84ce4f6227c1f852113ca8c3a5"
                      + "4160c2fb3effcd47247bc3122503f40d"),
              Map.entry(
                  "authI", "ad62d85cbed649056d5ffcf21545cd95090b2388ba77d9f2b6f4e89c01440131"),
              Map.entry("idr", "0200000067772d62"),
              Map.entry(
                  "octetsR",
                  "dd9c393d4e3a41d1f45180fa7c65969421202220000000000000011822000030"
                      + "0000002c010100040300000c0100000c800e0100030000080300000c03000008"
                      + "0200000500000008040000132800004800130000d5ff05ef227f3f578f999691"
                      + "8f1a1f620ab133550c9523ae79628e2ff18ac809027c2109f992da7de28d3d67"
                      + "51aa92d2fe041348f09a100124a03d11455786e52900002484513ae301eb4239"
                      + "672701e1e8dc78314decf075fa2854016193b73540577a732900001c00004004"
                      + "f2676644c69c37c870e93fe1c2b1b1a5567461d62900001c00004005c464f108"
                      + "3ad7d3e18fa40a29e6b509d5827e1b6b290000080000402e290000100000402f"
                      + "000200030004000529000008000040220000000800004014eade3e582b0499ac"
                      + "f2eedc2e39168f6b27713cc6149d56330d084c157f93cbfd0a1f000ebeb8cc33"
                      + "7d88e09f33fd3c2335d5ba6bd5097f9e83b3546d1e94a9d3"),
              Map.entry(
                  "authR", "c3d5001ecbf350eed3ef249f08003acf8acff348e94046c0e38a09b0957d587d"),
              Map.entry(
                  "chdSeed",
                  "eade3e582b0499acf2eedc2e39168f6b27713cc6149d56330d084c157f93cbfd"
                      + "84513ae301eb4239672701e1e8dc78314decf075fa2854016193b73540577a73"),
              Map.entry("chdEi", "a139cf53e472f90512a15e13c681a16401ed5edb"),
              Map.entry("chdEr", "272d1ba802c0be0ef1d8271b676ec8e063fc144d"),
              Map.entry(
                  "authResp",
                  "dd9c393d4e3a41d1f45180fa7c6596942e20232000000001000000e0240000c4"
                      + "fb962097ab02847b3a514411e65168ed4f5df57ef68e5719387583bd9acadb4b"
                      + "1ba19e03a626e86747e61668acb2ed4a37442e84f19a04625a7c74c89fcbfbdc"
                      + "c865f2d845cf0a3a5abc9d78316de5aa69d476030df08c9b5e692287f776edd3"
                      + "4915cda5eb2b882fb8f9a3dc276242f0640f8f8fc0f4f2b4279399f20b5043b1"
                      + "54801074468571c9eacfa2d360d9bf0fd7794f596229ca9a8fe857e446b8b66a"
                      + "04c771a27f2ded76bcd8e6e042e789a278c8ab920c0c91ed0ee242c5bf3696dd"),
              Map.entry(
                  "authRespPlain",
                  "2700000c0200000067772d622100002802000000c3d5001ecbf350eed3ef249f"
                      + "08003acf8acff348e94046c0e38a09b0957d587d2c0000240000002001030402"
                      + "8d628afe0300000c01000014800e008000000008050000002d00001801000000"
                      + "070000100000ffff0a0100000a01ffff2900001801000000070000100000ffff"
                      + "0a0200000a02ffff290000080000400c000000080000400fc19ed6e154cba807"),
              Map.entry(
                  "authReq",
                  "dd9c393d4e3a41d1f45180fa7c6596942e2023080000000100000110230000f4"
                      + "1dfd6c596e24102d40458ebfbf598c18f17369fa7cec2ed1f4f5170cb7d4e47d"
                      + "86ebe9237cdaf5ffd0acf0eccf87020632e8231b4211d72a5be43a2e2a438ecd"
                      + "19ff9130dfacfa67656e46adc6bb99f7476f25a5774a998f8ee6cd50c855c56b"
                      + "26a735f4e90d6f9f148ce4d9019a0f41d98b2cfb2b97e705ea15b2553b0939c5"
                      + "ccc0e65e38da4e35a1dd55caab1fbd5394f0962bdebf518ad7b8dd5f74e5f436"
                      + "24aeda26ee7957f8811ecb62ed23ff469feac501cadb94757f678d2a0658f71c"
                      + "a95aeb63a988faf29d61a7b524731801f05500ba03295673fd05ed6ca0e07c5c"
                      + "65ed1c3ed23301e7c7d863b89849e99c"),
              Map.entry(
                  "authReqPlain",
                  "2900000c0200000067772d6124000008000040002700000c0200000067772d62"
                      + "2100002802000000ad62d85cbed649056d5ffcf21545cd95090b2388ba77d9f2"
                      + "b6f4e89c014401312c0000240000002001030402c990c4800300000c01000014"
                      + "800e008000000008050000002d00001801000000070000100000ffff0a010000"
                      + "0a01ffff2900001801000000070000100000ffff0a0200000a02ffff29000008"
                      + "0000400c290000080000400f2900000800004014290000080000402100000008"
                      + "00004024e4d51bb0e4a8746516baf50b"),
              Map.entry(
                  "re_ni", "d0d857c181711fdf035850f1edb7c95fa593986d788eeddfc174127e7b2eadc7"),
              Map.entry(
                  "re_nr", "266ecd774ed7f236e804a95be5913c4f937941ff44bc85883158ad2a6b247130"),
              Map.entry(
                  "re_gir", "e6528322517688246adad3eacb6677c19a90d2777e091c271180f6eaba0b400c"),
              Map.entry("re_spiI", "5ec19ab6f28a4137"),
              Map.entry("re_spiR", "a689787f8234eb9d")));

  /** IKE proposal aes256gcm16-prfsha384-modp2048. */
  static final Suite GCM16_PRF384_MODP2048 =
      new Suite(
          "aes256gcm16-prfsha384-modp2048",
          Prf.HMAC_SHA2_384,
          IkeEncryption.AES_GCM_16,
          256,
          IkeIntegrity.NONE,
          Map.ofEntries(
              Map.entry("spiI", "a7801046f2ec91ce"),
              Map.entry("spiR", "98a354a79718a6de"),
              Map.entry("ni", "ba3943a078712e0c48ab0b8aff63901b5e635a3d4405d177a0e67401a71d6d48"),
              Map.entry("nr", "deed90685cf5337543e87a63cbbd365849f94bedfd4cebed84b3d94cb62797bc"),
              Map.entry(
                  "gir",
                  "a251caff064ca2cb2c546ab67e7ff70861cd581c2486e2290925dba5ce195b64"
                      + "6d6a6ed41243ec72ae2114f529323169f37f41ea52a821b27e59ddcb500d0f5f"
                      + "fa6339d2697ac34e6d8189ee803b9ff6e156ec1ca472a32fec7a8ec32adf0996"
                      + "467d356002cc29ed78b00a256439d4ac3453795cf426ee7ed7bc6422af534d81"
                      + "c710d645d941ca95065437a8a93110c0eb4c6d7973c5c5e7f189f384650ae775"
                      + "6475c326a883d2e776e318607bd41447ba601a26b9c71270915d078c798f09cf"
                      + "dce17d1ae6d04f8142fbcf6c19dff1a9a253b21607972cb401c287a6cee04b9c"
                      + "67fff7d5181f41f0c02b6b20ff6ff2f630c084013291714b11ffd5f2c9f8559c"),
              Map.entry(
                  "skeyseed",
                  "714e66313a9f17e9379a736d296a9a554cc6c2cf2d85eb57b7adf59ae56e0402"
                      + "02aacd45de16880c792506b66ccd837e"),
              Map.entry(
                  "re_skeyseed",
                  "1ae4fdd82a3064ce58a191f3418fc5bc7629fccaafbf1b0360d1012d45637ad7"
                      + "88e26e7bdd2d5fa26066b22237b02fa8"),
              Map.entry(
                  "skD",
                  "a87d56fd081b0e5c9d3d21ebd3ebd1df10af99fbda50bd19b59ed01fb66ef08c"
                      + "b2dd847b1025fddafa19ab4f2bb79d2e"),
              Map.entry(
                  "re_skD",
                  "f2b1a3c8405db18133455272e25aa68ea72026f3d908f5b9366a4f4853091546"
                      + "8b831e0eb173ce996bf121d62d7eb133"),
              Map.entry(
                  "skEi",
                  "abdf72388a5a471f1f058c3c601df708a053b48300d0fe5033a8915b206e60a9" + "a79fde83"),
              Map.entry(
                  "re_skEi",
                  "abe83f352987e77268503d67fd55cb9af5ee927caa5e8f14dfcfe6355243dc04" + "646aee9e"),
              Map.entry(
                  "skEr",
                  "c018abeba12656a51ca7164c8ed41c485cc2c86435be7ff80a0b491bc0789513" + "c5ae269d"),
              Map.entry(
                  "re_skEr",
                  "300efc3ebb6257c5caf513710ab8b3280efd9e7a8e0f46c75d891435cfbfed74" + "d623dc37"),
              Map.entry(
                  "skPi",
                  "280831c46f62077d6e666c6fe9fbb1f4ccbc4a947ecbc183b6a472d164cff9a7"
                      + "9fefe60b6acfe698a4b014247a85f61e"),
              Map.entry(
                  "re_skPi",
                  "7a9a7811de8a039b9404708d6d4579590525f0337316ee4c32294486ba419668"
                      + "e53381865e46820805f08fa686506ba3"),
              Map.entry(
                  "skPr",
                  "36abaac8da9fc5b43781564008bbcb2f0f387cf5aabe0e54ecc119403daeb779"
                      + "a90da9aa6e51a050ad7809013ea993aa"),
              Map.entry(
                  "re_skPr",
                  "274a5150f25208c435d4078482b9c82918abfe1e3af8fa4b18da7a1960881b5e"
                      + "5b9b72e5d79aa245c0c84e46660226fe"),
              Map.entry("idi", "0200000067772d61"),
              Map.entry(
                  "octetsI",
                  "a7801046f2ec91ce00000000000000002120220800000000000001c822000028"
                      + "00000024010100030300000c01000014800e0100030000080200000600000008"
                      + "0400000e28000108000e000039973cd101485afa4cfa1588e0fbcb54cf22b5b0"
                      + "b5439c81d9e8b1c1edd54e0f84668d25bc79060d5bc86bae9db6d157fc88a408"
                      + "1e0bcb8beda988233c720b369fcf7461e26a0197edecac0418ad6e9d6bc54035"
                      + "d40bb139c2e63054b095e46a6f06bbbbc7261db8e96da2cd410e588b865e5ee8"
                      + "5ab8bbad09f59f679c504ef9f564d974eb458a88ef1d04e56256b382db930bcd"
                      + "cc261a0cfd442346f24fef78ab992f50ae79759c5f4ef0f31d17875f14981902"
                      + "23d1803386538611a3c5683fc653a950fa9332e957375bb45683f99c2d760d96"
                      + "fa14879c329c967801fe0001b02019e3e2dc1aa4ecf64c81f94621dcbfdc22a5"
                      + "28345dddcdf8adfcbb54ae5729000024ba3943a078712e0c48ab0b8aff63901b"
                      + "5e635a3d4405d177a0e67401a71d6d482900001c000040042aa3c53efcf4b772"
                      + "4f2d9b66b5ca3e827efbf4512900001c00004005ecb2f40888a24fd42d2dfc07"
                      + "fc4dcfc73adc07db290000080000402e290000100000402f0002000300040005"
                      + "0000000800004016deed90685cf5337543e87a63cbbd365849f94bedfd4cebed"
                      + "84b3d94cb62797bc568229a9d5af964f39bf8ca384706a5a45dc24bb6413db69"
                      + "a13bebf42875eea24fe716b5e73ccd21262bc56e70b6a9db"),
              Map.entry(
                  "authI",
                  "e0293c6723200393e6f1b67ce7ecefbc699356f44d8386ad09efb4449890f8df"
                      + "91c98929a38cc10d66ebe0e941783010"),
              Map.entry("idr", "0200000067772d62"),
              Map.entry(
                  "octetsR",
                  "a7801046f2ec91ce98a354a79718a6de2120222000000000000001d022000028"
                      + "00000024010100030300000c01000014800e0100030000080200000600000008"
                      + "0400000e28000108000e00004233d07f78c516124d3397279f4b8909957a85d5"
                      + "4f7c985a8175c58319bc1ace4e99ae8893a3f0a491376240bfad9e532f5c68cb"
                      + "aed64bf0d8fe5ac550acc0268de2cb8f0a3dfb50b87438e7c495cf48b8edf057"
                      + "bf43b64bef8765aa8698fd7762e7454735643abbd3bae16795014413f4feff85"
                      + "409041020c91be7c5e6834799ae4844000e62f76dc88be152c33da9390e3be3f"
                      + "39ad0522798dcbe2656968656e91f70331489ea768aba56994f0bf71684493bf"
                      + "c9df8f4ace19fa45ab25d60b2311cb91246d64788ed33e61caf27ceb410c0f58"
                      + "fcfc9a228747503eab32ba22efa7423ec85649776661a16f366fa8fa14ea8f97"
                      + "b740915d6748081d21394c9529000024deed90685cf5337543e87a63cbbd3658"
                      + "49f94bedfd4cebed84b3d94cb62797bc2900001c00004004756d4342407ed154"
                      + "ded5955d4de81f07306e97c62900001c000040050350a9a81b254534f6e900ff"
                      + "e00d5ebcdd586ec8290000080000402e290000100000402f0002000300040005"
                      + "29000008000040220000000800004014ba3943a078712e0c48ab0b8aff63901b"
                      + "5e635a3d4405d177a0e67401a71d6d48b2fc8104885bb01a48247cb6817fe70a"
                      + "6b1ce4b7e4b3624f73fc32072cfcb89712806c3a2881d703a6b8abb1e9f2260c"),
              Map.entry(
                  "authR",
                  "5be93af34e10ca48e4ccba84b2702aa7725cde4eb971a57a7e294a0662b9ec87"
                      + "7027a4c3ce15df7afe23f7333776f18b"),
              Map.entry(
                  "chdSeed",
                  "ba3943a078712e0c48ab0b8aff63901b5e635a3d4405d177a0e67401a71d6d48"
                      + "deed90685cf5337543e87a63cbbd365849f94bedfd4cebed84b3d94cb62797bc"),
              Map.entry("chdEi", "e6fb3a7dbd20abb3bb8e93838b9bbc2de9ac5ceb"),
              Map.entry("chdEr", "b956b763d5d003f0edcbd47ae4b69f21279bef5b"),
              Map.entry(
                  "authResp",
                  "a7801046f2ec91ce98a354a79718a6de2e20232000000001000000e1240000c5"
                      + "005126b4a5c7958b109ffaff8136ffa7e5284dd0b690e28f437a3475d3007d8e"
                      + "651d3dbb92373131e39667e1d0f30a1a900358de0d5ab93eb202c719c2a00b2b"
                      + "3cd85ea39376267a27b52aae9907d0aeb05d228f2636f23045d85881feaaffc7"
                      + "7ce8a4bf028d7c031c95fb6e67beec2e56c382d894cdb9e35652e1281dd19447"
                      + "806cc3601c5c95b6b27b90c74dd2ea9312ed31ce3e4584281ce0b432c3366045"
                      + "6c699de7fc4f495890c97fd189af72a2f0e55cd5a3ed41a471ae7841edfa49f1"
                      + "3c"),
              Map.entry(
                  "authRespPlain",
                  "2700000c0200000067772d6221000038020000005be93af34e10ca48e4ccba84"
                      + "b2702aa7725cde4eb971a57a7e294a0662b9ec877027a4c3ce15df7afe23f733"
                      + "3776f18b2c0000240000002001030402cf73489a0300000c01000014800e0080"
                      + "00000008050000002d00001801000000070000100000ffff0a0100000a01ffff"
                      + "2900001801000000070000100000ffff0a0200000a02ffff290000080000400c"
                      + "000000080000400f00"),
              Map.entry(
                  "authReq",
                  "a7801046f2ec91ce98a354a79718a6de2e202308000000010000010d230000f1"
                      + "d331565a2f1e0c6d1bc32c9dd61d8eeca8264b5e0f5410e88367cb6a9625690c"
                      + "baa00f2e3f3570c1ac6eacc93f4e2dcf25a94301df0fa23b4b0cbe2ac33bb560"
                      + "de9a79cff75c62a1492a83e0401b1f4370df86238340d3ef2a2547720ebcbc09"
                      + "41a73e19e6bfb9bdc09089c58e286df2b33b74123bd0031d88c484f26cba8291"
                      + "188c610916bf18a7a687bce6d642f7e2579a434c146987067fa25eece0d2ab00"
                      + "e324bade29a77b128f92e035a6e148c871b185d9127ab21e5966657645101ee2"
                      + "0a7f2bd1d702ef8f229bc21b8ae5366689d10f7d31c4edefbe5eb84f31dd4a7d"
                      + "236cc86ed67a85f213d028ff36"),
              Map.entry(
                  "authReqPlain",
                  "2900000c0200000067772d6124000008000040002700000c0200000067772d62"
                      + "2100003802000000e0293c6723200393e6f1b67ce7ecefbc699356f44d8386ad"
                      + "09efb4449890f8df91c98929a38cc10d66ebe0e9417830102c00002400000020"
                      + "01030402b51f67040300000c01000014800e008000000008050000002d000018"
                      + "01000000070000100000ffff0a0100000a01ffff290000180100000007000010"
                      + "0000ffff0a0200000a02ffff290000080000400c290000080000400f29000008"
                      + "000040142900000800004021000000080000402400"),
              Map.entry(
                  "re_ni", "7dff36c930226d567d73f7e650ea6d1fd61a6786f9790074df779375dde374ee"),
              Map.entry(
                  "re_nr", "665b5ab28ed3bbbf9fce8e907c09cf84241b791b124cc872108cc0e73e5157a6"),
              Map.entry(
                  "re_gir",
                  "f7c31fe96b620fc302f146e1056fb6388646215d21dd08d2437c7ed6898d0d3d"
                      + "6c6c5f043a4b4fb62ab78ea535c02ecafbffab463170d6651929b705ac896483"
                      + "e575e303efb3cc84355919ecaaf9928dd658cc25bad73eb0ca57865a4f678d4e"
                      + "9d5403b832969574d117d79ea63a903142ff4bad07d527de7f9940dec6a0e2da"
                      + "6d52bd9089cffced93393c594dfd667e05c805666e9299aff4e82864efdee99d"
                      + "cdb972958589bd10d3fcbf0f833eced3e0cdcbc9591310bc242c3da1749aefce"
                      + "da3853baacf5f744f7ef93df2d5603f7a1fb9f1d639b2a2a3ae24b6f49ec5ff2"
                      + "ef729b0762d1319cb777315229a22a63d7219c9b6ffeaadeed665585381cd703"),
              Map.entry("re_spiI", "e92d282889785bc8"),
              Map.entry("re_spiR", "28785bf47be787b3")));

  /** IKE proposal chacha20poly1305-prfsha512-curve25519. */
  static final Suite CHACHA_PRF512_X25519 =
      new Suite(
          "chacha20poly1305-prfsha512-curve25519",
          Prf.HMAC_SHA2_512,
          IkeEncryption.CHACHA20_POLY1305,
          0,
          IkeIntegrity.NONE,
          Map.ofEntries(
              Map.entry("spiI", "b7a53626806f2a93"),
              Map.entry("spiR", "16eefcc5e9fdfc78"),
              Map.entry("ni", "94d6d8811a6eed181eaa082d9b951b52bb3676361eb3e720e98cdb18236a9b4d"),
              Map.entry("nr", "864b4182457d5433f87233b7c0cb9959dbfaeb20a1acc2d9ee533b2944b433c7"),
              Map.entry("gir", "e698ed5b68056966d02c4440d2dd5c26cd926394c53e3dd181e99ac876a0bb38"),
              Map.entry(
                  "skeyseed",
                  "08ecf3f13d250b4d6a678717d502e9a91d62b15acd1e3024cfc8ab86113ccf47"
                      + "ed21bfbe58e84609a40025fe745347fb81ddf35c92944e14f8d7822410ef34fd"),
              Map.entry(
                  "re_skeyseed",
                  "0c01a24cbf8bd40f071e2bb4431d20143ce67fc9cd76d8d1080033031cb34f8f"
                      + "a019d080a70f462457f2f3860527cd7246b22a3261d6cd18129dda1a8278854a"),
              Map.entry(
                  "skD",
                  "f49b629dfea04d5cf9d603243e486044ee9616cf70d09d41da059661173db7ab"
                      + "b474c3fc07a7eb70a482a7b95056560d6dc0626ed3b1a744923b93aa77a6d2d5"),
              Map.entry(
                  "re_skD",
                  "0ada0399ee69285d312fd51e8483a74aa035deb3e1447cabfdb9e98b18bee028"
                      + "3d3a8bda96c6107e7903cd4ec6c1bac02d2b4e32aa77c5fab3e7b01ff86736ef"),
              Map.entry(
                  "skEi",
                  "7770b3ca01fc4e88dad8b738d683fbaf41e3f31b2c4faef466d5430f6429871f" + "31ca0654"),
              Map.entry(
                  "re_skEi",
                  "8a4bbd1830e26416329c361767dfe78ab5652e44e6b4062bf9e4d66fcedbd61b" + "9abe1dc7"),
              Map.entry(
                  "skEr",
                  "1c9525b39954df18be395f7cad39ff4764c7894cdcfd92707a600ef20fd9d48a" + "b8be8794"),
              Map.entry(
                  "re_skEr",
                  "be36c8f86e98455ede833970b207c8d59cd1bfe3116fcb43ab8a5edc556739ce" + "9d6baa9f"),
              Map.entry(
                  "skPi",
                  "b0e0595cae854ca0f3d3757899a5c7523ac93e99623972384ad22bff9214596e"
                      + "0ebfeb41b1e244b80703380a9e02d56a3e89781ec9081469953d7232b23f33ce"),
              Map.entry(
                  "re_skPi",
                  "0d6dde6434a18c1263f7526a19fa65fb02e46bae51ef443c9460fee441181673"
                      + "77ddcf4d8f17c63600f4cd01a34d585eb63472d6b635a564cf136b8dbaf428e6"),
              Map.entry(
                  "skPr",
                  "8b1ea8c6ee8557a8fa27621082221af4a0a3440303947a28995c3761ca17f1c7"
                      + "748f2f881d5353a6398f7f41581c24bada05fa41f6c96dd415c6b00468695adc"),
              Map.entry(
                  "re_skPr",
                  "a9302366906f7660b998019553b56fe2701ec20cc40a0822fd28c475a89a3a28"
                      + "fe9f41e09ae6375452d0444cbe715a6c0f9cd3ca603729d94c10ff77eebd3104"),
              Map.entry("idi", "0200000067772d61"),
              Map.entry(
                  "octetsI",
                  "b7a53626806f2a9300000000000000002120220800000000000000e422000024"
                      + "0000002001010003030000080100001c0300000802000007000000080400001f"
                      + "28000028001f000072ebb976862c3e76855796476ca110bba97ab2713045979c"
                      + "dcd2cf4a30bc1a662900002494d6d8811a6eed181eaa082d9b951b52bb367636"
                      + "1eb3e720e98cdb18236a9b4d2900001c000040046d016be14e915c6e5c33b16a"
                      + "d06150de72150a8d2900001c00004005986dbb222863f41317f500b307fa8819"
                      + "bc5294ca290000080000402e290000100000402f000200030004000500000008"
                      + "00004016864b4182457d5433f87233b7c0cb9959dbfaeb20a1acc2d9ee533b29"
                      + "44b433c7f59bfca231622ed89fce156a0c4c2604cd8b0d5a03e0fa8ed196d15b"
                      + "7bc46d7533a45e9ac4dc5f98a524f46f3fcb1e4fee023497f789eb11168a51ac"
                      + "aca9c9f8"),
              Map.entry(
                  "authI",
                  "c46b6c85c3969395c443aca18bf1ca2397a3c585cff83087f553d7fe16cfc853"
                      + "90fbb4b35066517252d42af6e1dff4fc8e398461b58b85762dbe6abf0c24c4f2"),
              Map.entry("idr", "0200000067772d62"),
              Map.entry(
                  "octetsR",
                  "b7a53626806f2a9316eefcc5e9fdfc782120222000000000000000ec22000024"
                      + "0000002001010003030000080100001c0300000802000007000000080400001f"
                      + "28000028001f000031cc288821ea107c5d6db054c9039e0562059e43e993acb4"
                      + "c981d4baf6523e0c29000024864b4182457d5433f87233b7c0cb9959dbfaeb20"
                      + "a1acc2d9ee533b2944b433c72900001c0000400442850a3b2a05f8a598f0f6a9"
                      + "f712b1a23e4dd29b2900001c00004005dd0d98a0268d3980e25ee352b3ad37a1"
                      + "8dbb1901290000080000402e290000100000402f000200030004000529000008"
                      + "00004022000000080000401494d6d8811a6eed181eaa082d9b951b52bb367636"
                      + "1eb3e720e98cdb18236a9b4d3845e5aa8df4cb74bfd123353c45782e71032079"
                      + "ccc1c335eb10248055644768525982d399dfe382267d2fcc852b8dc7fda2f1a5"
                      + "6e8aaa0e89dd187f1c8516b5"),
              Map.entry(
                  "authR",
                  "826960eebaf9aa420eb41bf64bf7448ff7ddd396fa59d888ec86b9d16cdcbac0"
                      + "21fb7899860f39aaaba28dcffac2ebc4c3f2f6ece8fb0351f6b6a76e3ccf85ae"),
              Map.entry(
                  "chdSeed",
                  "94d6d8811a6eed181eaa082d9b951b52bb3676361eb3e720e98cdb18236a9b4d"
                      + "864b4182457d5433f87233b7c0cb9959dbfaeb20a1acc2d9ee533b2944b433c7"),
              Map.entry("chdEi", "e9dc485850f732b7563349ade0ad07d9d9da02c7"),
              Map.entry("chdEr", "b506d61d66e6c73eb88d3ef7c0ba79cd05ed874c"),
              Map.entry(
                  "authResp",
                  "b7a53626806f2a9316eefcc5e9fdfc782e20232000000001000000f1240000d5"
                      + "5227e77c3f1560d1fd55c333f5dbf77a73394535be2ec3541e9d5d30db9645ef"
                      + "50fd8b8e478f9be36134266bfe6d138eb60480747c8166879c1fb9bbe47fd6ff"
                      + "b4ee02e1cc1a902829b8dea0c8012b0cd5d03e0acaf157f9f78eeec736c49b50"
                      + "71950812393a6cba6b0332c8b3135ce4f637cbb3abd6e29cdac2851b6c4dcc8e"
                      + "065430fa7fa3e69b066e26cf8fb7f269fea37c2c4ac5de7263d71ab90c315729"
                      + "350c41f9b37b51d11bf23cc045e2afe9dd2d932ee7d74b86f01e51463e45cab6"
                      + "86f81469aa5476200925e1a82ef320a0fc"),
              Map.entry(
                  "authRespPlain",
                  "2700000c0200000067772d622100004802000000826960eebaf9aa420eb41bf6"
                      + "4bf7448ff7ddd396fa59d888ec86b9d16cdcbac021fb7899860f39aaaba28dcf"
                      + "fac2ebc4c3f2f6ece8fb0351f6b6a76e3ccf85ae2c0000240000002001030402"
                      + "672a91370300000c01000014800e008000000008050000002d00001801000000"
                      + "070000100000ffff0a0100000a01ffff2900001801000000070000100000ffff"
                      + "0a0200000a02ffff290000080000400c000000080000400f00"),
              Map.entry(
                  "authReq",
                  "b7a53626806f2a9316eefcc5e9fdfc782e202308000000010000011d23000101"
                      + "01fc90884a5d4fb577ef9bc9dc1950a4c9aae426c9a283e447f4b8c2ee2fb21a"
                      + "af021d18d89a74276fdba3062f2c33530a8e6d6c967955d8900a35637fff20c7"
                      + "3fb565cf63940cdf308f0753f3364732dcd44e0b88d05b15bbc25b41851a3ad5"
                      + "2481690a5eb985ace32c0558fa699f7b987ed80a0a727679c9cfa4c6a02bb460"
                      + "b46a06c0da5b5c26fc9c0c349790d01f17fd4113f6925c3da62220ebd6ea8835"
                      + "1ad0618e9483386966b900a1e1cf76966bb27adad30322d6f0f73dcdc14c710d"
                      + "527f1bdc92b3ab7ade4bbebe962e3eccacce1ae5c48b9839d123eb832777e5a2"
                      + "b53eeae79b0bd3a510a4d525cd8317224c3718ab374994da10fc645be8"),
              Map.entry(
                  "authReqPlain",
                  "2900000c0200000067772d6124000008000040002700000c0200000067772d62"
                      + "2100004802000000c46b6c85c3969395c443aca18bf1ca2397a3c585cff83087"
                      + "f553d7fe16cfc85390fbb4b35066517252d42af6e1dff4fc8e398461b58b8576"
                      + "2dbe6abf0c24c4f22c000024000000200103040230749daf0300000c01000014"
                      + "800e008000000008050000002d00001801000000070000100000ffff0a010000"
                      + "0a01ffff2900001801000000070000100000ffff0a0200000a02ffff29000008"
                      + "0000400c290000080000400f2900000800004014290000080000402100000008"
                      + "0000402400"),
              Map.entry(
                  "re_ni", "2402202e74ab2286b104d6752d606b23eab5389a0283d6084584391228692696"),
              Map.entry(
                  "re_nr", "dbbefa0147624a1191f7cafaac8c7a4cea3b1045b38118d5bbfa37841180f4aa"),
              Map.entry(
                  "re_gir", "7a3832900766cf6d6ea6f1cfd02f99529a001dedaca21ab5f6f801984881075a"),
              Map.entry("re_spiI", "54bc37b701226a9a"),
              Map.entry("re_spiR", "1ebb1ec75f024d62")));
}
