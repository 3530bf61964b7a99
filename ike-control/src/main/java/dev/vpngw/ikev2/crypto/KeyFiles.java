package dev.vpngw.ikev2.crypto;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the gateway's private key and certificates from PEM files, as strongSwan's swanctl
 * directories hold them: PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"
 * (an "EC PARAMETERS" block before it is skipped), and any number of "CERTIFICATE" blocks. Keys
 * come back as the JDK's own key classes. Encrypted keys are refused. Error messages name the file,
 * never its content.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** The first private key in the file. */
  public static PrivateKey readPrivateKey(Path pem) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (object instanceof PEMEncryptedKeyPair
            || object instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IOException(pem + ": encrypted private keys are not supported");
        }
      }
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException e) {
      // PEMParser reports malformed content with unchecked exceptions that may quote it.
      throw new IOException(pem + ": malformed PEM private key");
    }
    throw new IOException(pem + ": no private key found");
  }

  /** All certificates in the file, in file order; at least one. */
  public static List<X509Certificate> readCertificates(Path pem) throws IOException {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> certificates = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (CertificateException e) {
      throw new IOException(pem + ": unusable certificate", e);
    } catch (RuntimeException e) {
      throw new IOException(pem + ": malformed PEM certificate");
    }
    if (certificates.isEmpty()) {
      throw new IOException(pem + ": no certificate found");
    }
    return List.copyOf(certificates);
  }
}
