package dev.vpngw.ikev2.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Signature algorithms we put in an RFC 7427 Digital Signature AUTH payload (Auth Method 14), each
 * with the DER AlgorithmIdentifier that names it in the payload and the RFC 7427 4 hash algorithm
 * id it depends on. AlgorithmIdentifiers are encoded as RFC 7427 Appendix A lists them and as
 * strongSwan sends them: RSA PKCS#1 v1.5 with NULL parameters, ECDSA without parameters, RSASSA-PSS
 * with SHA-256, MGF1-SHA-256 and a 32-byte salt.
 */
public enum SignatureScheme {
  /** sha256WithRSAEncryption (RSASSA-PKCS1-v1_5). */
  SHA256_WITH_RSA(PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA", 2, "RSA"),
  /** sha384WithRSAEncryption. */
  SHA384_WITH_RSA(PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA", 3, "RSA"),
  /** sha512WithRSAEncryption. */
  SHA512_WITH_RSA(PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA", 4, "RSA"),
  /** id-RSASSA-PSS with SHA-256, MGF1 with SHA-256, 32-byte salt, trailer field 1. */
  RSASSA_PSS_SHA256(PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS", 2, "RSA"),
  /** ecdsa-with-SHA256; the signature value is a DER ECDSA-Sig-Value. */
  ECDSA_WITH_SHA256(X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA", 2, "EC"),
  /** ecdsa-with-SHA384. */
  ECDSA_WITH_SHA384(X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA", 3, "EC"),
  /** ecdsa-with-SHA512. */
  ECDSA_WITH_SHA512(X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA", 4, "EC");

  private final ASN1ObjectIdentifier oid;
  private final String jcaName;
  private final int hashAlgorithm;
  private final String keyAlgorithm;
  private final byte[] algorithmIdentifier;

  SignatureScheme(ASN1ObjectIdentifier oid, String jcaName, int hashAlgorithm, String keyAlg) {
    this.oid = oid;
    this.jcaName = jcaName;
    this.hashAlgorithm = hashAlgorithm;
    this.keyAlgorithm = keyAlg;
    this.algorithmIdentifier = encode(oid);
  }

  /** The DER AlgorithmIdentifier that goes into the AUTH payload. */
  public byte[] algorithmIdentifier() {
    return algorithmIdentifier.clone();
  }

  /** The RFC 7427 hash algorithm id (2 = SHA2-256, 3 = SHA2-384, 4 = SHA2-512). */
  public int hashAlgorithm() {
    return hashAlgorithm;
  }

  /** Whether a key of this type ("RSA" or "EC") can make or check this signature. */
  public boolean fits(Key key) {
    return keyAlgorithm.equals("RSA") ? key instanceof RSAKey : key instanceof ECKey;
  }

  /**
   * The scheme we sign with for a key: sha256WithRSAEncryption for RSA (what every RFC 7427 peer
   * accepts), and for ECDSA the hash that matches the curve size (RFC 5656 6.2.1 style: P-256 with
   * SHA-256, P-384 with SHA-384, P-521 with SHA-512).
   */
  public static SignatureScheme forKey(Key key) {
    if (key instanceof RSAKey) {
      return SHA256_WITH_RSA;
    }
    if (key instanceof ECKey ec) {
      return switch (SignatureAuth.nistCurveBits(ec)) {
        case 256 -> ECDSA_WITH_SHA256;
        case 384 -> ECDSA_WITH_SHA384;
        case 521 -> ECDSA_WITH_SHA512;
        default -> throw new IllegalArgumentException("EC key is not on P-256, P-384 or P-521");
      };
    }
    throw new IllegalArgumentException("no signature scheme for " + key.getAlgorithm() + " keys");
  }

  String jcaName() {
    return jcaName;
  }

  /** The JCA parameters this scheme needs, or null. */
  AlgorithmParameterSpec jcaParameters() {
    return this == RSASSA_PSS_SHA256
        ? new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1)
        : null;
  }

  private static byte[] encode(ASN1ObjectIdentifier oid) {
    AlgorithmIdentifier id;
    if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
      AlgorithmIdentifier sha256 =
          new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
      id =
          new AlgorithmIdentifier(
              oid,
              new RSASSAPSSparams(
                  sha256,
                  new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                  new ASN1Integer(32),
                  new ASN1Integer(1)));
    } else if (oid.on(X9ObjectIdentifiers.id_ecSigType)) {
      id = new AlgorithmIdentifier(oid);
    } else {
      id = new AlgorithmIdentifier(oid, DERNull.INSTANCE);
    }
    try {
      return id.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
