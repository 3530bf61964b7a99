package dev.vpngw.ikev2.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Certificate checks for IKEv2 certificate authentication (RFC 7296 3.6, 3.7, 2.15; RFC 4945 for
 * the identity rules): PKIX path validation of the peer's CERT payloads against our trusted CAs at
 * an explicit time, matching the certificate against the peer's ID payload, and the CERTREQ
 * authority encoding. Revocation checking is off: no CRL or OCSP fetching from the gateway.
 */
public final class CertificateValidator {
  /** ID type ID_IPV4_ADDR (RFC 7296 3.5). */
  public static final int ID_IPV4_ADDR = 1;

  /** ID type ID_FQDN. */
  public static final int ID_FQDN = 2;

  /** ID type ID_RFC822_ADDR. */
  public static final int ID_RFC822_ADDR = 3;

  /** ID type ID_IPV6_ADDR. */
  public static final int ID_IPV6_ADDR = 5;

  /** ID type ID_DER_ASN1_DN. */
  public static final int ID_DER_ASN1_DN = 9;

  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> trusted;

  /** A validator that trusts exactly these CA certificates. */
  public CertificateValidator(List<X509Certificate> trustedCas) {
    if (trustedCas.isEmpty()) {
      throw new IllegalArgumentException("no trusted CA certificate");
    }
    this.trusted = List.copyOf(trustedCas);
    Set<TrustAnchor> set = new HashSet<>();
    for (X509Certificate ca : trusted) {
      set.add(new TrustAnchor(ca, null));
    }
    this.anchors = Set.copyOf(set);
  }

  /** The trusted CA certificates, for building CERTREQ payloads. */
  public List<X509Certificate> trustedCas() {
    return trusted;
  }

  /**
   * Validates the chain (end entity first, then intermediates, as the CERT payloads arrived) up to
   * one of our CAs at time {@code now}; returns the end-entity certificate. A trusted CA that the
   * peer included at the end of the chain is dropped before validation.
   *
   * @throws CertificateException with the PKIX reason if the chain does not validate
   */
  public X509Certificate validate(List<X509Certificate> chain, Instant now)
      throws CertificateException {
    if (chain.isEmpty()) {
      throw new CertificateException("peer sent no certificate");
    }
    List<X509Certificate> path = new ArrayList<>(chain);
    while (path.size() > 1 && trusted.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return chain.get(0);
    } catch (CertPathValidatorException e) {
      throw new CertificateException("certificate chain invalid: " + e.getMessage(), e);
    } catch (InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("PKIX parameters refused", e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("certificate chain unusable: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the certificate speaks for the identity of an ID payload (RFC 4945 3.1): IP addresses,
   * FQDNs and RFC 822 addresses must appear as subjectAltNames of that type; a DN must equal the
   * subject (compared as X.500 names, so case and spacing differences in strings do not matter).
   * Other ID types never match.
   */
  public static boolean matchesIdentity(X509Certificate cert, int idType, byte[] idData) {
    try {
      return switch (idType) {
        case ID_IPV4_ADDR, ID_IPV6_ADDR -> {
          if (idData.length != (idType == ID_IPV4_ADDR ? 4 : 16)) {
            yield false;
          }
          for (GeneralName name : altNames(cert)) {
            if (name.getTagNo() == GeneralName.iPAddress
                && Arrays.equals(ASN1OctetString.getInstance(name.getName()).getOctets(), idData)) {
              yield true;
            }
          }
          yield false;
        }
        case ID_FQDN -> matchesString(cert, GeneralName.dNSName, ascii(idData), false);
        case ID_RFC822_ADDR -> matchesString(cert, GeneralName.rfc822Name, ascii(idData), true);
        case ID_DER_ASN1_DN -> new X500Principal(idData).equals(cert.getSubjectX500Principal());
        default -> false;
      };
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The DER subject name, for an ID_DER_ASN1_DN payload of our own certificate. */
  public static byte[] subjectDnDer(X509Certificate cert) {
    return cert.getSubjectX500Principal().getEncoded();
  }

  /**
   * The 20-byte CERTREQ Certification Authority entry for a CA: the SHA-1 of its DER
   * SubjectPublicKeyInfo (RFC 7296 3.7, encoding 4).
   */
  public static byte[] certReqAuthority(X509Certificate ca) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(ca.getPublicKey().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks SHA-1", e);
    }
  }

  private static boolean matchesString(
      X509Certificate cert, int tag, String wanted, boolean localPartExact) {
    for (GeneralName name : altNames(cert)) {
      if (name.getTagNo() == tag
          && sameName(
              ASN1IA5String.getInstance(name.getName()).getString(), wanted, localPartExact)) {
        return true;
      }
    }
    return false;
  }

  /**
   * DNS names compare without regard to ASCII case (RFC 4343); in an RFC 822 address only the
   * domain part does (RFC 5280 4.2.1.6), the local part must match exactly.
   */
  private static boolean sameName(String have, String want, boolean localPartExact) {
    if (!localPartExact) {
      return lower(have).equals(lower(want));
    }
    int at = have.lastIndexOf('@');
    int wantAt = want.lastIndexOf('@');
    if (at < 0 || wantAt < 0) {
      return have.equals(want);
    }
    return have.substring(0, at).equals(want.substring(0, wantAt))
        && lower(have.substring(at)).equals(lower(want.substring(wantAt)));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static String ascii(byte[] data) {
    for (byte b : data) {
      if (b < 0x20 || b > 0x7e) {
        throw new IllegalArgumentException("identity is not printable ASCII");
      }
    }
    return new String(data, StandardCharsets.US_ASCII);
  }

  private static GeneralName[] altNames(X509Certificate cert) {
    try {
      Extensions extensions = new X509CertificateHolder(cert.getEncoded()).getExtensions();
      if (extensions == null) {
        return new GeneralName[0];
      }
      GeneralNames names =
          GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
      return names == null ? new GeneralName[0] : names.getNames();
    } catch (CertificateEncodingException | IOException e) {
      throw new IllegalArgumentException("certificate cannot be re-encoded", e);
    }
  }
}
