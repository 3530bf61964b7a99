package dev.vpngw.ikev2.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Signature AUTH payloads: RSA PKCS#1 v1.5 with SHA-1 (Auth Method 1, RFC 7296 3.8), ECDSA with the
 * curve's hash and r || s fixed-width encoding (Methods 9, 10, 11, RFC 4754 3 and 7), and the RFC
 * 7427 Digital Signature method (14), whose AUTH data is a one-byte length, the DER
 * AlgorithmIdentifier and the signature value (DER ECDSA-Sig-Value for ECDSA, RFC 7427 3). Also the
 * SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 4) that enables method 14.
 */
public final class SignatureAuth {
  /** Auth Method 1: RSA Digital Signature (PKCS#1 v1.5 with SHA-1). */
  public static final int RSA_DIGITAL_SIGNATURE = 1;

  /** Auth Method 9: ECDSA with SHA-256 on P-256 (RFC 4754). */
  public static final int ECDSA_SHA256_P256 = 9;

  /** Auth Method 10: ECDSA with SHA-384 on P-384 (RFC 4754). */
  public static final int ECDSA_SHA384_P384 = 10;

  /** Auth Method 11: ECDSA with SHA-512 on P-521 (RFC 4754). */
  public static final int ECDSA_SHA512_P521 = 11;

  /** Auth Method 14: Digital Signature (RFC 7427). */
  public static final int DIGITAL_SIGNATURE = 14;

  /** Notify message type of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4). */
  public static final int SIGNATURE_HASH_ALGORITHMS = 16431;

  private static final int[] OUR_HASHES = {2, 3, 4};

  private SignatureAuth() {}

  /**
   * The method to sign with: 14 when both sides sent SIGNATURE_HASH_ALGORITHMS, otherwise the key's
   * classic method (1 for RSA, 9/10/11 for ECDSA by curve).
   */
  public static int methodFor(PrivateKey key, boolean peerSupportsDigitalSignature) {
    if (peerSupportsDigitalSignature) {
      return DIGITAL_SIGNATURE;
    }
    if (key instanceof RSAKey) {
      return RSA_DIGITAL_SIGNATURE;
    }
    if (key instanceof ECKey ec) {
      return switch (nistCurveBits(ec)) {
        case 256 -> ECDSA_SHA256_P256;
        case 384 -> ECDSA_SHA384_P384;
        case 521 -> ECDSA_SHA512_P521;
        default -> throw new IllegalArgumentException("EC key is not on P-256, P-384 or P-521");
      };
    }
    throw new IllegalArgumentException(
        "cannot sign IKE AUTH with a " + key.getAlgorithm() + " key");
  }

  /**
   * The AUTH data for {@code octets} (from {@link Auth#signedOctets}).
   *
   * @param scheme for method 14 the algorithm, or null to choose by key ({@link
   *     SignatureScheme#forKey}); must be null for the other methods, which fix their algorithm
   * @throws IllegalArgumentException if the method, key and scheme do not fit together
   */
  public static byte[] sign(int authMethod, PrivateKey key, byte[] octets, SignatureScheme scheme) {
    if (authMethod != DIGITAL_SIGNATURE && scheme != null) {
      throw new IllegalArgumentException("Auth Method " + authMethod + " takes no scheme");
    }
    try {
      return switch (authMethod) {
        case RSA_DIGITAL_SIGNATURE -> {
          requireRsa(key, authMethod);
          yield run(Signature.getInstance("SHA1withRSA"), key, octets);
        }
        case ECDSA_SHA256_P256, ECDSA_SHA384_P384, ECDSA_SHA512_P521 -> {
          requireCurve(key, authMethod);
          yield run(Signature.getInstance(p1363Name(authMethod)), key, octets);
        }
        case DIGITAL_SIGNATURE -> {
          SignatureScheme chosen = scheme != null ? scheme : SignatureScheme.forKey(key);
          if (!chosen.fits(key)) {
            throw new IllegalArgumentException(chosen + " cannot use a " + key.getAlgorithm());
          }
          Signature signature = Signature.getInstance(chosen.jcaName());
          if (chosen.jcaParameters() != null) {
            signature.setParameter(chosen.jcaParameters());
          }
          byte[] value = run(signature, key, octets);
          byte[] algId = chosen.algorithmIdentifier();
          byte[] out = new byte[1 + algId.length + value.length];
          out[0] = (byte) algId.length;
          System.arraycopy(algId, 0, out, 1, algId.length);
          System.arraycopy(value, 0, out, 1 + algId.length, value.length);
          yield out;
        }
        default -> throw new IllegalArgumentException("Auth Method " + authMethod + " unknown");
      };
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("key unusable for Auth Method " + authMethod, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing for Auth Method " + authMethod + " failed", e);
    }
  }

  /**
   * Whether {@code authData} is a valid signature by {@code key} over {@code octets}. Anything
   * malformed, an algorithm we do not accept, or a key that does not fit the method is false.
   */
  public static boolean verify(int authMethod, PublicKey key, byte[] octets, byte[] authData) {
    try {
      return switch (authMethod) {
        case RSA_DIGITAL_SIGNATURE ->
            key instanceof RSAKey
                && check(Signature.getInstance("SHA1withRSA"), key, octets, authData);
        case ECDSA_SHA256_P256, ECDSA_SHA384_P384, ECDSA_SHA512_P521 ->
            key instanceof ECKey ec
                && nistCurveBits(ec) == curveBits(authMethod)
                && authData.length == 2 * ((curveBits(authMethod) + 7) / 8)
                && check(Signature.getInstance(p1363Name(authMethod)), key, octets, authData);
        case DIGITAL_SIGNATURE -> verifyDigitalSignature(key, octets, authData);
        default -> false;
      };
    } catch (GeneralSecurityException | RuntimeException e) {
      // Whatever a peer put in the payload, a malformed signature is a failed one, never a crash.
      return false;
    }
  }

  /** Our SIGNATURE_HASH_ALGORITHMS notify data: SHA2-256, SHA2-384, SHA2-512 (RFC 7427 4). */
  public static byte[] hashAlgorithmsNotifyData() {
    byte[] out = new byte[2 * OUR_HASHES.length];
    for (int i = 0; i < OUR_HASHES.length; i++) {
      out[2 * i] = (byte) (OUR_HASHES[i] >>> 8);
      out[2 * i + 1] = (byte) OUR_HASHES[i];
    }
    return out;
  }

  /**
   * The 16-bit hash algorithm ids of a peer's SIGNATURE_HASH_ALGORITHMS notify, in order. A
   * trailing odd byte is ignored, as strongSwan does.
   */
  public static Set<Integer> parseHashAlgorithms(byte[] notifyData) {
    Set<Integer> ids = new LinkedHashSet<>();
    for (int i = 0; i + 1 < notifyData.length; i += 2) {
      ids.add(((notifyData[i] & 0xff) << 8) | (notifyData[i + 1] & 0xff));
    }
    return Collections.unmodifiableSet(ids);
  }

  private static boolean verifyDigitalSignature(PublicKey key, byte[] octets, byte[] authData)
      throws GeneralSecurityException {
    if (authData.length < 1) {
      return false;
    }
    int algIdLength = authData[0] & 0xff;
    if (algIdLength == 0 || authData.length <= 1 + algIdLength) {
      return false;
    }
    AlgorithmIdentifier algId =
        AlgorithmIdentifier.getInstance(Arrays.copyOfRange(authData, 1, 1 + algIdLength));
    byte[] value = Arrays.copyOfRange(authData, 1 + algIdLength, authData.length);
    ASN1ObjectIdentifier oid = algId.getAlgorithm();
    ASN1Encodable params = algId.getParameters();
    Signature signature;
    if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
      if (!(key instanceof RSAKey) || params == null) {
        return false;
      }
      signature = Signature.getInstance("RSASSA-PSS");
      PSSParameterSpec spec = pssSpec(RSASSAPSSparams.getInstance(params));
      if (spec == null) {
        return false;
      }
      signature.setParameter(spec);
    } else {
      SignatureScheme scheme = pkcs1OrEcdsa(oid);
      if (scheme == null || !scheme.fits(key) || !absentOrNull(params)) {
        return false;
      }
      signature = Signature.getInstance(scheme.jcaName());
    }
    return check(signature, key, octets, value);
  }

  /** The JCA spec for PSS parameters with SHA-2 hashes and MGF1, or null if unacceptable. */
  private static PSSParameterSpec pssSpec(RSASSAPSSparams params) {
    String hash = sha2Name(params.getHashAlgorithm().getAlgorithm());
    AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
    if (hash == null || !mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1)) {
      return null;
    }
    if (mgf.getParameters() == null) {
      return null;
    }
    String mgfHash = sha2Name(AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm());
    if (mgfHash == null || params.getTrailerField().intValueExact() != 1) {
      return null;
    }
    int salt = params.getSaltLength().intValueExact();
    return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(mgfHash), salt, 1);
  }

  private static String sha2Name(ASN1ObjectIdentifier oid) {
    if (oid.equals(NISTObjectIdentifiers.id_sha256)) {
      return "SHA-256";
    }
    if (oid.equals(NISTObjectIdentifiers.id_sha384)) {
      return "SHA-384";
    }
    if (oid.equals(NISTObjectIdentifiers.id_sha512)) {
      return "SHA-512";
    }
    return null;
  }

  private static SignatureScheme pkcs1OrEcdsa(ASN1ObjectIdentifier oid) {
    if (oid.equals(PKCSObjectIdentifiers.sha256WithRSAEncryption)) {
      return SignatureScheme.SHA256_WITH_RSA;
    }
    if (oid.equals(PKCSObjectIdentifiers.sha384WithRSAEncryption)) {
      return SignatureScheme.SHA384_WITH_RSA;
    }
    if (oid.equals(PKCSObjectIdentifiers.sha512WithRSAEncryption)) {
      return SignatureScheme.SHA512_WITH_RSA;
    }
    if (oid.equals(X9ObjectIdentifiers.ecdsa_with_SHA256)) {
      return SignatureScheme.ECDSA_WITH_SHA256;
    }
    if (oid.equals(X9ObjectIdentifiers.ecdsa_with_SHA384)) {
      return SignatureScheme.ECDSA_WITH_SHA384;
    }
    if (oid.equals(X9ObjectIdentifiers.ecdsa_with_SHA512)) {
      return SignatureScheme.ECDSA_WITH_SHA512;
    }
    return null;
  }

  private static boolean absentOrNull(ASN1Encodable params) {
    return params == null || DERNull.INSTANCE.equals(params.toASN1Primitive());
  }

  private static byte[] run(Signature signature, PrivateKey key, byte[] octets)
      throws GeneralSecurityException {
    signature.initSign(key);
    signature.update(octets);
    return signature.sign();
  }

  private static boolean check(Signature signature, PublicKey key, byte[] octets, byte[] value)
      throws GeneralSecurityException {
    signature.initVerify(key);
    signature.update(octets);
    return signature.verify(value);
  }

  private static void requireRsa(PrivateKey key, int method) {
    if (!(key instanceof RSAKey)) {
      throw new IllegalArgumentException("Auth Method " + method + " needs an RSA key");
    }
  }

  private static void requireCurve(PrivateKey key, int method) {
    if (!(key instanceof ECKey ec) || nistCurveBits(ec) != curveBits(method)) {
      throw new IllegalArgumentException(
          "Auth Method " + method + " needs a P-" + curveBits(method) + " key");
    }
  }

  private static int curveBits(int method) {
    return switch (method) {
      case ECDSA_SHA256_P256 -> 256;
      case ECDSA_SHA384_P384 -> 384;
      default -> 521;
    };
  }

  private static String p1363Name(int method) {
    return switch (method) {
      case ECDSA_SHA256_P256 -> "SHA256withECDSAinP1363Format";
      case ECDSA_SHA384_P384 -> "SHA384withECDSAinP1363Format";
      default -> "SHA512withECDSAinP1363Format";
    };
  }

  /**
   * 256, 384 or 521 when the key's domain parameters are exactly NIST P-256, P-384 or P-521 (not
   * merely a curve of that size, such as brainpoolP256r1), else 0.
   */
  static int nistCurveBits(ECKey key) {
    ECParameterSpec params = key.getParams();
    for (DhGroup group : new DhGroup[] {DhGroup.ECP_256, DhGroup.ECP_384, DhGroup.ECP_521}) {
      ECParameterSpec nist = EcpKeyExchange.curve(group);
      if (nist.getCurve().equals(params.getCurve())
          && nist.getGenerator().equals(params.getGenerator())
          && nist.getOrder().equals(params.getOrder())) {
        return nist.getCurve().getField().getFieldSize();
      }
    }
    return 0;
  }
}
