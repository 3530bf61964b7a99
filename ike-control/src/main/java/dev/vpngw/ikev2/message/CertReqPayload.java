package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Certificate Request payload (RFC 7296 3.7): an encoding and, for X.509, the concatenated SHA-1
 * hashes of the public keys of the trusted certification authorities.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~                       Data (variable)                         ~
 * </pre>
 */
public record CertReqPayload(int encoding, byte[] data) implements Payload {
  /** Certificate encoding: X.509 certificate - signature. */
  public static final int X509_SIGNATURE = 4;

  /** Checks the encoding width and copies the data. */
  public CertReqPayload {
    Fields.u8(encoding, "certificate encoding");
    data = Fields.copy(data, "certification authority data");
  }

  @Override
  public int type() {
    return PayloadType.CERTREQ;
  }

  /** A copy of the data. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  static CertReqPayload decode(WireReader r) throws IkeParseException {
    int encoding = r.u8("certificate encoding");
    return new CertReqPayload(encoding, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u8(encoding).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertReqPayload c && encoding == c.encoding && Arrays.equals(data, c.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(encoding, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "CERTREQ[encoding " + encoding + ", " + Fields.len(data) + "]";
  }
}
