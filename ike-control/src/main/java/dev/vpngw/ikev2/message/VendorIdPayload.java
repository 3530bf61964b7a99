package dev.vpngw.ikev2.message;

import java.util.Arrays;

/** Vendor ID payload (RFC 7296 3.12): an opaque constant announcing the sender's implementation. */
public record VendorIdPayload(byte[] data) implements Payload {
  /** Copies the data. */
  public VendorIdPayload {
    data = Fields.copy(data, "vendor id");
  }

  @Override
  public int type() {
    return PayloadType.VENDOR_ID;
  }

  /** A copy of the vendor id. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  static VendorIdPayload decode(WireReader r) {
    return new VendorIdPayload(r.rest());
  }

  void encodeBody(WireWriter w) {
    w.bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VendorIdPayload v && Arrays.equals(data, v.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "V[" + Fields.len(data) + "]";
  }
}
