package dev.vpngw.ikev2.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Key Exchange payload (RFC 7296 3.4): the Diffie-Hellman group and the sender's public value.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * ~                       Key Exchange Data                       ~
 * </pre>
 */
public record KePayload(int dhGroup, byte[] data) implements Payload {
  /** Checks the group width and copies the data. */
  public KePayload {
    Fields.u16(dhGroup, "dh group");
    data = Fields.copy(data, "key exchange data");
  }

  @Override
  public int type() {
    return PayloadType.KE;
  }

  /** A copy of the public value. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  static KePayload decode(WireReader r) throws IkeParseException {
    int group = r.u16("dh group");
    r.skip(2, "KE reserved");
    return new KePayload(group, r.rest());
  }

  void encodeBody(WireWriter w) {
    w.u16(dhGroup).u16(0).bytes(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KePayload k && dhGroup == k.dhGroup && Arrays.equals(data, k.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dhGroup, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "KE[group " + dhGroup + ", " + Fields.len(data) + "]";
  }
}
