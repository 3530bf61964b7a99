package dev.vpngw.crypto.kat;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.Integrity;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The published known-answer vectors every crypto engine must reproduce, as data: the one copy that
 * both the unit tests and the appliance's power-on {@link SelfTest} read, so the two can never
 * drift apart. Each vector names its source; the hex is as printed there.
 *
 * <p>Sources: D. McGrew and J. Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B,
 * test cases 1, 3, 4, 15 and 16; NIST CAVP gcmEncryptExtIV128.rsp (GMAC-shaped: empty plaintext);
 * RFC 8439 2.8.2 (ChaCha20-Poly1305); RFC 3602 4, cases 1 to 4; NIST SP 800-38A F.2.5 and F.2.6
 * (CBC-AES256); RFC 2202 3, cases 1 to 4 and 6 (HMAC-SHA-1); RFC 4231 4.2 to 4.5 and 4.7, test
 * cases 1 to 4 and 6 (HMAC-SHA-256/384/512); RFC 4868 2.7.2.1 (HMAC-SHA-256 with the 32-byte keys
 * ESP uses, AUTH256-1 to AUTH256-4).
 *
 * <p>Several vectors have shapes no ESP packet can take (a 20-byte AAD, an empty AAD, a 131-byte
 * HMAC key); they are meant for an engine's {@link dev.vpngw.crypto.CryptoPrimitives}, which make
 * the same keyed native or JCE calls as its ESP ciphers.
 */
public final class KnownAnswers {
  private KnownAnswers() {}

  /** One published vector. */
  public sealed interface Vector permits Aead, Cbc, Hmac {
    /** Where the vector is published, precise enough to find it, as "RFC 8439 2.8.2". */
    String source();
  }

  /**
   * An AEAD vector (GCM, GMAC as GCM over an empty plaintext, ChaCha20-Poly1305). Byte arrays are
   * copied in and out, so an engine under test that writes to its inputs cannot corrupt the vector
   * for the next engine.
   *
   * @param encryption the transform; GMAC means AES-GCM with that key size
   * @param key the cipher key alone, without an ESP salt
   * @param nonce the full 12-byte nonce
   */
  public record Aead(
      String source,
      Encryption encryption,
      byte[] key,
      byte[] nonce,
      byte[] aad,
      byte[] plaintext,
      byte[] ciphertext,
      byte[] tag)
      implements Vector {
    /** Copies every array. */
    public Aead {
      key = key.clone();
      nonce = nonce.clone();
      aad = aad.clone();
      plaintext = plaintext.clone();
      ciphertext = ciphertext.clone();
      tag = tag.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] aad() {
      return aad.clone();
    }

    @Override
    public byte[] plaintext() {
      return plaintext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public byte[] tag() {
      return tag.clone();
    }

    /** The source: short enough to name a test case or a failed self-test check. */
    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * A CBC vector without padding. Arrays are copied in and out, as for {@link Aead}.
   *
   * @param encryption a CBC transform
   */
  public record Cbc(
      String source,
      Encryption encryption,
      byte[] key,
      byte[] iv,
      byte[] plaintext,
      byte[] ciphertext)
      implements Vector {
    /** Copies every array. */
    public Cbc {
      key = key.clone();
      iv = iv.clone();
      plaintext = plaintext.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public byte[] iv() {
      return iv.clone();
    }

    @Override
    public byte[] plaintext() {
      return plaintext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    /** The source: short enough to name a test case or a failed self-test check. */
    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * An HMAC vector with its full, untruncated output; ESP sends only the first {@link
   * Integrity#icvLength()} bytes of it (RFC 2404 2, RFC 4868 2.6). Arrays are copied in and out, as
   * for {@link Aead}.
   *
   * @param integrity the integrity transform whose digest the HMAC uses
   * @param key a key of any length (the published cases include 4-byte and 131-byte ones)
   * @param mac the full HMAC output
   */
  public record Hmac(String source, Integrity integrity, byte[] key, byte[] data, byte[] mac)
      implements Vector {
    /** Copies every array. */
    public Hmac {
      key = key.clone();
      data = data.clone();
      mac = mac.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }

    /** The source: short enough to name a test case or a failed self-test check. */
    @Override
    public String toString() {
      return source;
    }
  }

  // McGrew-Viega test cases 3/4 and 15/16 share their plaintext, IV and AAD; cases 15/16 use the
  // 128-bit key twice.
  private static final String GCM_PLAINTEXT =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  private static final String GCM_IV = "cafebabefacedbaddecaf888";
  private static final String GCM_AAD = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
  private static final String GCM_KEY_128 = "feffe9928665731c6d6a8f9467308308";
  private static final String GCM_KEY_256 = GCM_KEY_128 + GCM_KEY_128;

  /** Test cases 4 and 16 encrypt the first 60 of the 64 plaintext bytes. */
  private static final String GCM_PLAINTEXT_60 = GCM_PLAINTEXT.substring(0, 120);

  /**
   * RFC 8439 2.8.2, the ChaCha20-Poly1305 AEAD example. Named on its own because it is also an ESP
   * packet as it stands: its nonce (07000000 | 4041424344454647) and AAD (50515253 | c0c1c2c3 |
   * c4c5c6c7) are exactly RFC 7634's salt | IV and SPI | seq high | seq low.
   */
  public static final Aead RFC_8439_2_8_2 =
      aead(
          "RFC 8439 2.8.2",
          Encryption.CHACHA20_POLY1305,
          "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
          "070000004041424344454647",
          "50515253c0c1c2c3c4c5c6c7",
          ascii(
              "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                  + " future, sunscreen would be it."),
          "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
              + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
              + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
              + "3ff4def08e4b7a9de576d26586cec64b6116",
          "1ae10b594f09e26a7e902ecbd0600691");

  /** AES-GCM, AES-GMAC (GCM over an empty plaintext, RFC 4543) and ChaCha20-Poly1305. */
  public static final List<Aead> AEAD =
      List.of(
          aead(
              "McGrew-Viega GCM test case 3 (AES-128, no AAD)",
              Encryption.AES_GCM_16_128,
              GCM_KEY_128,
              GCM_IV,
              "",
              GCM_PLAINTEXT,
              "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                  + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
              "4d5c2af327cd64a62cf35abd2ba6fab4"),
          aead(
              "McGrew-Viega GCM test case 4 (AES-128, 20-byte AAD)",
              Encryption.AES_GCM_16_128,
              GCM_KEY_128,
              GCM_IV,
              GCM_AAD,
              GCM_PLAINTEXT_60,
              "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                  + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
              "5bc94fbc3221a5db94fae95ae7121a47"),
          aead(
              "McGrew-Viega GCM test case 15 (AES-256, no AAD)",
              Encryption.AES_GCM_16_256,
              GCM_KEY_256,
              GCM_IV,
              "",
              GCM_PLAINTEXT,
              "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                  + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
              "b094dac5d93471bdec1a502270e3cc6c"),
          aead(
              "McGrew-Viega GCM test case 16 (AES-256, 20-byte AAD)",
              Encryption.AES_GCM_16_256,
              GCM_KEY_256,
              GCM_IV,
              GCM_AAD,
              GCM_PLAINTEXT_60,
              "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                  + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
              "76fc6ece0f4e1768cddf8853bb2d551b"),
          aead(
              "McGrew-Viega GCM test case 1 (GMAC: no AAD, no text)",
              Encryption.AES_GMAC_128,
              "00000000000000000000000000000000",
              "000000000000000000000000",
              "",
              "",
              "",
              "58e2fccefa7e3061367f1d57a4e7455a"),
          aead(
              "NIST CAVP gcmEncryptExtIV128 PTlen=0 AADlen=128 Count=0 (GMAC)",
              Encryption.AES_GMAC_128,
              "77be63708971c4e240d1cb79e8d77feb",
              "e0e00f19fed7ba0136a797f3",
              "7a43ec1d9c0a5a78a0b16533a6213cab",
              "",
              "",
              "209fcc8d3675ed938e9c7166709dd946"),
          aead(
              "NIST CAVP gcmEncryptExtIV128 PTlen=0 AADlen=128 Count=1 (GMAC)",
              Encryption.AES_GMAC_128,
              "7680c5d3ca6154758e510f4d25b98820",
              "f8f105f9c3df4965780321f8",
              "c94c410194c765e3dcc7964379758ed3",
              "",
              "",
              "94dca8edfcf90bb74b153c8d48a17930"),
          RFC_8439_2_8_2);

  /** AES-CBC without padding. */
  public static final List<Cbc> CBC =
      List.of(
          cbc(
              "RFC 3602 4 case 1 (AES-128-CBC, 1 block)",
              Encryption.AES_CBC_128,
              "06a9214036b8a15b512e03d534120006",
              "3dafba429d9eb430b422da802c9fac41",
              ascii("Single block msg"),
              "e353779c1079aeb82708942dbe77181a"),
          cbc(
              "RFC 3602 4 case 2 (AES-128-CBC, 2 blocks)",
              Encryption.AES_CBC_128,
              "c286696d887c9aa0611bbb3e2025a45a",
              "562e17996d093d28ddb3ba695a2e6f58",
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
              "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"),
          cbc(
              "RFC 3602 4 case 3 (AES-128-CBC, 3 blocks)",
              Encryption.AES_CBC_128,
              "6c3ea0477630ce21a2ce334aa746c2cd",
              "c782dc4c098c66cbd9cd27d825682c81",
              ascii("This is a 48-byte message (exactly 3 AES blocks)"),
              "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
                  + "021c19216bad525c8579695d83ba2684"),
          cbc(
              "RFC 3602 4 case 4 (AES-128-CBC, 4 blocks)",
              Encryption.AES_CBC_128,
              "56e47a38c5598974bc46903dba290349",
              "8ce82eefbea0da3c44699ed7db51b7d9",
              "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                  + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
              "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
                  + "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55"),
          // F.2.6 (CBC-AES256.Decrypt) is the same vector run backwards, which the decrypt half
          // of every CBC check covers.
          cbc(
              "NIST SP 800-38A F.2.5/F.2.6 (CBC-AES256)",
              Encryption.AES_CBC_256,
              "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
              "000102030405060708090a0b0c0d0e0f",
              "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                  + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
              "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                  + "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"));

  // RFC 2202 3 and RFC 4231 4 share the keys and data of cases 1 to 4 and the data of case 6;
  // RFC 4231 lengthens the case 6 key from 80 to 131 bytes so that it exceeds the 128-byte
  // SHA-384/512 block as well.
  private static final String[] HMAC_KEYS = {
    "0b".repeat(20),
    ascii("Jefe"),
    "aa".repeat(20),
    "0102030405060708090a0b0c0d0e0f10111213141516171819",
    "aa".repeat(80),
  };
  private static final String[] HMAC_DATA = {
    ascii("Hi There"),
    ascii("what do ya want for nothing?"),
    "dd".repeat(50),
    "cd".repeat(50),
    ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
  };
  private static final String RFC_4231_CASE_6_KEY = "aa".repeat(131);

  /** HMAC-SHA-1 and HMAC-SHA-2, full outputs. */
  public static final List<Hmac> HMAC =
      List.of(
          hmac(
              "RFC 2202 3 case 1 (SHA-1)",
              Integrity.HMAC_SHA1_96,
              HMAC_KEYS[0],
              HMAC_DATA[0],
              "b617318655057264e28bc0b6fb378c8ef146be00"),
          hmac(
              "RFC 2202 3 case 2 (SHA-1)",
              Integrity.HMAC_SHA1_96,
              HMAC_KEYS[1],
              HMAC_DATA[1],
              "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
          hmac(
              "RFC 2202 3 case 3 (SHA-1)",
              Integrity.HMAC_SHA1_96,
              HMAC_KEYS[2],
              HMAC_DATA[2],
              "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
          hmac(
              "RFC 2202 3 case 4 (SHA-1)",
              Integrity.HMAC_SHA1_96,
              HMAC_KEYS[3],
              HMAC_DATA[3],
              "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
          hmac(
              "RFC 2202 3 case 6 (SHA-1)",
              Integrity.HMAC_SHA1_96,
              HMAC_KEYS[4],
              HMAC_DATA[4],
              "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
          hmac(
              "RFC 4231 4.2 case 1 (SHA-256)",
              Integrity.HMAC_SHA2_256_128,
              HMAC_KEYS[0],
              HMAC_DATA[0],
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
          hmac(
              "RFC 4231 4.3 case 2 (SHA-256)",
              Integrity.HMAC_SHA2_256_128,
              HMAC_KEYS[1],
              HMAC_DATA[1],
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
          hmac(
              "RFC 4231 4.4 case 3 (SHA-256)",
              Integrity.HMAC_SHA2_256_128,
              HMAC_KEYS[2],
              HMAC_DATA[2],
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
          hmac(
              "RFC 4231 4.5 case 4 (SHA-256)",
              Integrity.HMAC_SHA2_256_128,
              HMAC_KEYS[3],
              HMAC_DATA[3],
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
          hmac(
              "RFC 4231 4.7 case 6 (SHA-256)",
              Integrity.HMAC_SHA2_256_128,
              RFC_4231_CASE_6_KEY,
              HMAC_DATA[4],
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
          hmac(
              "RFC 4231 4.2 case 1 (SHA-384)",
              Integrity.HMAC_SHA2_384_192,
              HMAC_KEYS[0],
              HMAC_DATA[0],
              "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                  + "faea9ea9076ede7f4af152e8b2fa9cb6"),
          hmac(
              "RFC 4231 4.3 case 2 (SHA-384)",
              Integrity.HMAC_SHA2_384_192,
              HMAC_KEYS[1],
              HMAC_DATA[1],
              "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                  + "8e2240ca5e69e2c78b3239ecfab21649"),
          hmac(
              "RFC 4231 4.4 case 3 (SHA-384)",
              Integrity.HMAC_SHA2_384_192,
              HMAC_KEYS[2],
              HMAC_DATA[2],
              "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
                  + "2a5ab39dc13814b94e3ab6e101a34f27"),
          hmac(
              "RFC 4231 4.5 case 4 (SHA-384)",
              Integrity.HMAC_SHA2_384_192,
              HMAC_KEYS[3],
              HMAC_DATA[3],
              "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
                  + "6801dd23c4a7d679ccf8a386c674cffb"),
          hmac(
              "RFC 4231 4.2 case 1 (SHA-512)",
              Integrity.HMAC_SHA2_512_256,
              HMAC_KEYS[0],
              HMAC_DATA[0],
              "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                  + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
          hmac(
              "RFC 4231 4.3 case 2 (SHA-512)",
              Integrity.HMAC_SHA2_512_256,
              HMAC_KEYS[1],
              HMAC_DATA[1],
              "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                  + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
          hmac(
              "RFC 4231 4.4 case 3 (SHA-512)",
              Integrity.HMAC_SHA2_512_256,
              HMAC_KEYS[2],
              HMAC_DATA[2],
              "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                  + "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
          hmac(
              "RFC 4231 4.5 case 4 (SHA-512)",
              Integrity.HMAC_SHA2_512_256,
              HMAC_KEYS[3],
              HMAC_DATA[3],
              "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                  + "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
          // RFC 4868 2.7.2.1: the same data with keys as long as the digest, the length ESP
          // negotiates (RFC 4868 2.1.1).
          hmac(
              "RFC 4868 2.7.2.1 AUTH256-1",
              Integrity.HMAC_SHA2_256_128,
              "0b".repeat(32),
              HMAC_DATA[0],
              "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"),
          hmac(
              "RFC 4868 2.7.2.1 AUTH256-2",
              Integrity.HMAC_SHA2_256_128,
              ascii("Jefe").repeat(8),
              HMAC_DATA[1],
              "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6"),
          hmac(
              "RFC 4868 2.7.2.1 AUTH256-3",
              Integrity.HMAC_SHA2_256_128,
              "aa".repeat(32),
              HMAC_DATA[2],
              "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0"),
          hmac(
              "RFC 4868 2.7.2.1 AUTH256-4",
              Integrity.HMAC_SHA2_256_128,
              "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
              HMAC_DATA[3],
              "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f"));

  /** Every vector: {@link #AEAD}, then {@link #CBC}, then {@link #HMAC}. */
  public static List<Vector> all() {
    return Stream.of(AEAD, CBC, HMAC).<Vector>flatMap(List::stream).toList();
  }

  private static Aead aead(
      String source,
      Encryption encryption,
      String key,
      String nonce,
      String aad,
      String plaintext,
      String ciphertext,
      String tag) {
    return new Aead(
        source,
        encryption,
        bytes(key),
        bytes(nonce),
        bytes(aad),
        bytes(plaintext),
        bytes(ciphertext),
        bytes(tag));
  }

  private static Cbc cbc(
      String source,
      Encryption encryption,
      String key,
      String iv,
      String plaintext,
      String ciphertext) {
    return new Cbc(source, encryption, bytes(key), bytes(iv), bytes(plaintext), bytes(ciphertext));
  }

  private static Hmac hmac(
      String source, Integrity integrity, String key, String data, String mac) {
    return new Hmac(source, integrity, bytes(key), bytes(data), bytes(mac));
  }

  private static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  /** Hex of an ASCII string, for the vectors the RFCs print as text. */
  private static String ascii(String text) {
    return HexFormat.of().formatHex(text.getBytes(US_ASCII));
  }
}
