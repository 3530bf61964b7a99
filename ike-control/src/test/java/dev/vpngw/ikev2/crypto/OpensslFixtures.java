package dev.vpngw.ikev2.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Keys and signatures made with the OpenSSL 3.0 command line, so that our verification is checked
 * against an independent signer. The keys were generated for these tests only and protect nothing:
 * {@code openssl genrsa -traditional 2048} (PKCS#1), {@code openssl pkey} (its PKCS#8 form), {@code
 * openssl ecparam -name prime256v1 -genkey -noout} (SEC1) and {@code openssl genpkey -algorithm EC
 * -pkeyopt ec_paramgen_curve:P-384} (PKCS#8); the public halves with {@code openssl pkey -pubout}.
 */
final class OpensslFixtures {
  private OpensslFixtures() {}

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static Path write(Path dir, String name, String pem) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, pem);
    return file;
  }

  static PublicKey publicKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return new JcaPEMKeyConverter().getPublicKey((SubjectPublicKeyInfo) parser.readObject());
    }
  }

  static final String RSA_PKCS1 =
      """
      -----BEGIN RSA PRIVATE KEY-----
      MIIEpAIBAAKCAQEAt8a8e1O6i0CEDwFTjXqXTaghRqF1s+kfRTuFMq9CPAFn4igE
      NMNDJv6UabBQbezOSTqVlRtD3OcOesQndeUHlNB1Jg7LeD70GkKz++lqJQT4qS5i
      FxIdvXO8oIQyT2uqoYWzoQ1xLKljEcAnCc20HLSRzTCF0L2dyoOP3arBbtw29ewX
      aW7oY1+BweMT/DgzvFmeDaRThiuyefAO2tX+rZa4Q+4T3du5JFq9m+8q8iBtTFlp
      puFKsXiwgXe9Tm896nrbPfBk485g5ShTmtDOW/AAp8Tz8JTq2P5m/6JWFoqCYrlB
      SMQqym7bFDXwuGSCZSvbO62X6g3M3/LXNkSxewIDAQABAoIBABPIihvAnLFG5bBz
      1RnC26zZb5OZ6ADRFLOwP5uAMGIjSJqY8jL33i/Bchqah13+AwrxCo89myWZnf5r
      RVA0soc7lZDeQNsV89Mr4RI6Q1nu2hHkU1zmb1sorWKeOIhCL+Epcnfg6ZEEPwz3
      IXy1rzDz40oycgVRlD3rwb38FsynKy2tx4UeoO6f13txjOw3MkP7g1dqTlZb6snJ
      uV8BFbm8rKNMjyQQgodkROPw0582Ln5gLtYFrf0Z7fFLc45asSeq43ukns5xD9tO
      qnQfXHdNHlQ8gdsJ8vxjCieA9z/VRoko5AnihFBZeBwiJOeTI5VFwQE5BCCgFlo0
      CCoRMBkCgYEA8dCXg2SDPbXJsibVewVYnY4NHgQ4RA7PK8ar3HQZm0Rppt59m/bp
      iqj1kjvz4IQKKKfrRwdd9iryRfRbq/jtgoVYV6LofUFF3n/awbNKxNKOAyAjs0BN
      erv7mEk4sQFPUhAPOgjKJQuChuFxG/YAPdC36e71WbeQ/GOJXhAYADcCgYEAwo6P
      73bj+N2sO2boknpDB62QIEehMUwZUY0u9q8TA3ntAk1Wi0GjYec+10FwVHrd7Rl3
      IGb10CkzGeo0v3Fdm9Aa9giKDCxH6KxnvbWsQv16UMtGBonABDjOLDPi7DYftOW3
      l5rj2COER4M02HiC2f32F2/9PzChELPFX4cCjt0CgYEAqb8orNaA/m+/H2z9TPdq
      xmbyNFD4AmZ27Z7wA7gIRaNXmwjyGerQ9EI46KdnQgLOcs21bk3wmp55JbwsIeOD
      Lq1WX2Z/V3Xbix4rPPAUG2hGwlDsXqdT/EU7jyJPRonJ2axmU/HZnPmgbfiRgvRE
      JSCAChpxZsJiZ5mj00Du6C8CgYAwEAPixl4fFrP7oLqHpQh2FxxpvQhHI2OFz/jw
      G+P4keBJF03v7PEtuHC/wHy9gfTdI9NX/9dt6x+ioUcSnDDh0xE2AnoH89B33E9s
      gDrj+baDyxOrfdAfuuDD7rV6YQyIJc+q9iqfNHbzK6icaXj53VE0DQhk2eCQPbje
      ln29SQKBgQCyPH0LYx9F/hTerrX7pydRn9RGyFBHROUmwdN3u2S2CB0uebM3aXrJ
      o27bJDU5m2H8ZjjRr4eHmAslYNuPWhfORF/O1TaiN7ANb3CA6npbiz6zrvwLK7zT
      GK1fKvhin6QWjnUanYDFwa8z7TcLuxIRFFDgsse3xt3sCjpYhkGA/Q==
      -----END RSA PRIVATE KEY-----
      """;

  static final String RSA_PKCS8 =
      """
      -----BEGIN PRIVATE KEY-----
      MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC3xrx7U7qLQIQP
      AVONepdNqCFGoXWz6R9FO4Uyr0I8AWfiKAQ0w0Mm/pRpsFBt7M5JOpWVG0Pc5w56
      xCd15QeU0HUmDst4PvQaQrP76WolBPipLmIXEh29c7yghDJPa6qhhbOhDXEsqWMR
      wCcJzbQctJHNMIXQvZ3Kg4/dqsFu3Db17BdpbuhjX4HB4xP8ODO8WZ4NpFOGK7J5
      8A7a1f6tlrhD7hPd27kkWr2b7yryIG1MWWmm4UqxeLCBd71Obz3qets98GTjzmDl
      KFOa0M5b8ACnxPPwlOrY/mb/olYWioJiuUFIxCrKbtsUNfC4ZIJlK9s7rZfqDczf
      8tc2RLF7AgMBAAECggEAE8iKG8CcsUblsHPVGcLbrNlvk5noANEUs7A/m4AwYiNI
      mpjyMvfeL8FyGpqHXf4DCvEKjz2bJZmd/mtFUDSyhzuVkN5A2xXz0yvhEjpDWe7a
      EeRTXOZvWyitYp44iEIv4Slyd+DpkQQ/DPchfLWvMPPjSjJyBVGUPevBvfwWzKcr
      La3HhR6g7p/Xe3GM7DcyQ/uDV2pOVlvqycm5XwEVubyso0yPJBCCh2RE4/DTnzYu
      fmAu1gWt/Rnt8UtzjlqxJ6rje6SeznEP206qdB9cd00eVDyB2wny/GMKJ4D3P9VG
      iSjkCeKEUFl4HCIk55MjlUXBATkEIKAWWjQIKhEwGQKBgQDx0JeDZIM9tcmyJtV7
      BVidjg0eBDhEDs8rxqvcdBmbRGmm3n2b9umKqPWSO/PghAoop+tHB132KvJF9Fur
      +O2ChVhXouh9QUXef9rBs0rE0o4DICOzQE16u/uYSTixAU9SEA86CMolC4KG4XEb
      9gA90Lfp7vVZt5D8Y4leEBgANwKBgQDCjo/vduP43aw7ZuiSekMHrZAgR6ExTBlR
      jS72rxMDee0CTVaLQaNh5z7XQXBUet3tGXcgZvXQKTMZ6jS/cV2b0Br2CIoMLEfo
      rGe9taxC/XpQy0YGicAEOM4sM+LsNh+05beXmuPYI4RHgzTYeILZ/fYXb/0/MKEQ
      s8VfhwKO3QKBgQCpvyis1oD+b78fbP1M92rGZvI0UPgCZnbtnvADuAhFo1ebCPIZ
      6tD0Qjjop2dCAs5yzbVuTfCannklvCwh44MurVZfZn9XdduLHis88BQbaEbCUOxe
      p1P8RTuPIk9GicnZrGZT8dmc+aBt+JGC9EQlIIAKGnFmwmJnmaPTQO7oLwKBgDAQ
      A+LGXh8Ws/uguoelCHYXHGm9CEcjY4XP+PAb4/iR4EkXTe/s8S24cL/AfL2B9N0j
      01f/123rH6KhRxKcMOHTETYCegfz0HfcT2yAOuP5toPLE6t90B+64MPutXphDIgl
      z6r2Kp80dvMrqJxpePndUTQNCGTZ4JA9uN6Wfb1JAoGBALI8fQtjH0X+FN6utfun
      J1Gf1EbIUEdE5SbB03e7ZLYIHS55szdpesmjbtskNTmbYfxmONGvh4eYCyVg249a
      F85EX87VNqI3sA1vcIDqeluLPrOu/AsrvNMYrV8q+GKfpBaOdRqdgMXBrzPtNwu7
      EhEUUOCyx7fG3ewKOliGQYD9
      -----END PRIVATE KEY-----
      """;

  static final String RSA_PUBLIC =
      """
      -----BEGIN PUBLIC KEY-----
      MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAt8a8e1O6i0CEDwFTjXqX
      TaghRqF1s+kfRTuFMq9CPAFn4igENMNDJv6UabBQbezOSTqVlRtD3OcOesQndeUH
      lNB1Jg7LeD70GkKz++lqJQT4qS5iFxIdvXO8oIQyT2uqoYWzoQ1xLKljEcAnCc20
      HLSRzTCF0L2dyoOP3arBbtw29ewXaW7oY1+BweMT/DgzvFmeDaRThiuyefAO2tX+
      rZa4Q+4T3du5JFq9m+8q8iBtTFlppuFKsXiwgXe9Tm896nrbPfBk485g5ShTmtDO
      W/AAp8Tz8JTq2P5m/6JWFoqCYrlBSMQqym7bFDXwuGSCZSvbO62X6g3M3/LXNkSx
      ewIDAQAB
      -----END PUBLIC KEY-----
      """;

  static final String EC256_SEC1 =
      """
      -----BEGIN EC PRIVATE KEY-----
      MHcCAQEEIKDeHuyWXxiBf5rd6d/vuNY6p1+tp5yeMW/qYB4Uv3nloAoGCCqGSM49
      AwEHoUQDQgAENVAtlN3LM+37zmhiQ+XSVDYNbB4S3+iBCtAy0/D+FkD8wtKxdsxG
      8wF5KMTUa/8/2oi61Enkhi0S3wNipsCvoA==
      -----END EC PRIVATE KEY-----
      """;

  static final String EC256_PUBLIC =
      """
      -----BEGIN PUBLIC KEY-----
      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENVAtlN3LM+37zmhiQ+XSVDYNbB4S
      3+iBCtAy0/D+FkD8wtKxdsxG8wF5KMTUa/8/2oi61Enkhi0S3wNipsCvoA==
      -----END PUBLIC KEY-----
      """;

  static final String EC384_PKCS8 =
      """
      -----BEGIN PRIVATE KEY-----
      MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDA+ZShS/Nb+mAfOIADR
      yujfbekxcFgn1z9X75Kw3pmrjygf0M712y8+CMbmQBEwMJyhZANiAASzMfKzFfd4
      JryTFQ4DlqVB/9oRttWg0pQexHpDIp5F3teM+0PJ6lAuNgiLrCb42YUe+DDu4U3g
      jtAxTtwz9AuAVpr1RYmQMeZFn0DONYc8oCzIGW7GrqEX1b94tE6XINw=
      -----END PRIVATE KEY-----
      """;

  static final String EC384_PUBLIC =
      """
      -----BEGIN PUBLIC KEY-----
      MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEszHysxX3eCa8kxUOA5alQf/aEbbVoNKU
      HsR6QyKeRd7XjPtDyepQLjYIi6wm+NmFHvgw7uFN4I7QMU7cM/QLgFaa9UWJkDHm
      RZ9AzjWHPKAsyBluxq6hF9W/eLROlyDc
      -----END PUBLIC KEY-----
      """;

  /** The octets every openssl signature below covers. */
  static final String OCTETS = "IKEv2 signed octets: fixed input for the openssl cross-check";

  /** {@code openssl dgst -sha1 -sign RSA_PKCS1}. */
  static final String RSA_SHA1_SIG =
      "a1066922c987d65415d3cdfacbcc82eb7ebd4429b4bf383841a2ea269478ff14"
          + "aceb654bde74b57e16c1471acdfca3c3717d8568b952317495484d60fa83c150"
          + "fe44ed93c55bd9baf3a4ecceb0b75e60e205e36a7903a2ab270b4159d4a93c69"
          + "dd14b88d5d5d0e8a54c1219413b612a283e08aa824242694b23fdcfbabbf6a58"
          + "e1a53186104d38e685b0911365a3464b7438488ab601e203ac52a78fe432de1b"
          + "43c407e71bba6c138cd01f30719a3b0cad7f8b3055a652993763d621be76e6a2"
          + "dc1684236282d53b77da95416bda5e437a41e24da3c93e14e223fedf30597398"
          + "d24ca16d46e99063de937672102547eb284cfc283cb919dd444d9e451eca41cf";

  /** {@code openssl dgst -sha256 -sign RSA_PKCS1}. */
  static final String RSA_SHA256_SIG =
      "870aaa71a2b7cffc7d39e5a433d9d9b6f70afe1d0af7e5e6c0d574267883a22d"
          + "ab9f252e74868c65519f067c2b607ab624b2eaccc53b66c96100886183dffa3c"
          + "8ada44ecfef4c7a968dda9f4af6708368ded380a9999c8f4cc78a02cda32b516"
          + "e81b6dfdd28c37b6067d511e3aeb411b4482e6d480d91902d5002c7928182f9a"
          + "70e02c77acbabb1ab275baf861d607a3500a829a46ef642a5d8d0b9c5a03cb15"
          + "8dd5f53502d9e2340638970c6f8af53a7b67bef3f35ef93ce67d4926faea2f42"
          + "1292e7d3b71030133baecd8a5b3e6e67a76d862413ded6919ffb31a3f0c04c87"
          + "bda4087056c92e3556a7d87b301b6fabce3e0f5770013cd61aa2797fea0d4ee8";

  /**
   * {@code openssl dgst -sha256 -sign RSA_PKCS1 -sigopt rsa_padding_mode:pss -sigopt
   * rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256}.
   */
  static final String RSA_PSS_SHA256_SIG =
      "a66dee70032faf44ede1a2fc3c67031f907b20543ea554a47a1e3b179504e222"
          + "7c9f1f11dc2b8e53cb549cc66145a7979d4d0f13bb3db35073793332d91c85e3"
          + "5583f225a1e17263b2457695871cc468fc3e583c5aabfae24cbe1b855ef88ede"
          + "7667f73a1651e9c8671e4c9beb67d11cc6051d14d6dd0e3c5ecebc8636bb60fc"
          + "d104fd19e0a39202deca153333c01beb3ab6ca79093d46fc7ab8eecc89538fae"
          + "61fef0ee2fd4eab01f90d3869fc8a7456a59bca2434935eac2a96d337f48c6bb"
          + "235c975c5b6bcb4c112f18b8c5e1821fa7ba24a19db551ddb5adbfe586c44262"
          + "300d96bab2898ef23fdda7ed0599367c71f1989bb2a48643dcd9362824b8d6f4";

  /** {@code openssl dgst -sha256 -sign EC256_SEC1}: DER ECDSA-Sig-Value. */
  static final String EC256_SHA256_DER_SIG =
      "304402204cafedf7beaa9dcf9cb7dec643d4051e190b62bcd0f714a07edc4f6c"
          + "6ef784ea02206051f18471bcaea597db032d7cd5d0fe8c7be0cb165a0d7cb0aa"
          + "581cfbfbb22e";

  /** The same signature as r || s, 32 bytes each ({@code openssl asn1parse}). */
  static final String EC256_SHA256_RS_SIG =
      "4cafedf7beaa9dcf9cb7dec643d4051e190b62bcd0f714a07edc4f6c6ef784ea"
          + "6051f18471bcaea597db032d7cd5d0fe8c7be0cb165a0d7cb0aa581cfbfbb22e";

  /** {@code openssl dgst -sha384 -sign EC384_PKCS8}: DER ECDSA-Sig-Value. */
  static final String EC384_SHA384_DER_SIG =
      "30650231009debdc34a30e767fd54e008b30c6cde791bc0b23f2468048a474bc"
          + "9dd3b3273c4bd0cdd64645879ec7f53e1b06c453c302302a76c2a418f11daaf8"
          + "54d98aca7e3d7baad502a2e969d76ab9fc7eea80b0e7896806023d6c672bac66"
          + "dcb259c4199c6a";

  /** The same signature as r || s, 48 bytes each. */
  static final String EC384_SHA384_RS_SIG =
      "9debdc34a30e767fd54e008b30c6cde791bc0b23f2468048a474bc9dd3b3273c"
          + "4bd0cdd64645879ec7f53e1b06c453c32a76c2a418f11daaf854d98aca7e3d7b"
          + "aad502a2e969d76ab9fc7eea80b0e7896806023d6c672bac66dcb259c4199c6a";
}
