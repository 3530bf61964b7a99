package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Certificate payload (RFC 7296 3.6): an encoding (4 = X.509 certificate, signature) and the
 * certificate or other data in that encoding.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~                       Data (variable)                         ~
 * </pre>
 */
public record CertPayload(int encoding, byte[] data) implements Payload {
  /** Certificate encoding: X.509 certificate - signature. */
  public static final int X509_SIGNATURE = 4;

  /** Checks the encoding width and copies the data. */
  public CertPayload {
    Fields.u8(encoding, "certificate encoding");
    data = Fields.copy(data, "certificate data");
  }

  @Override
  public int type() {
    return PayloadType.CERT;
  }

  /** A copy of the data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  static CertPayload decode(WireReader r) throws IkeParseException {
    int encoding = r.u8("certificate encoding");
    return new CertPayload(encoding, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u8(encoding).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertPayload c && encoding == c.encoding && Arrays.equals(data, c.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(encoding, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "CERT[encoding " + encoding + ", " + Fields.len(data) + "]";
  }
}
