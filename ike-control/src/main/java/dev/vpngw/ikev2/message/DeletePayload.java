package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Delete payload (RFC 7296 3.11): the SAs of one protocol the sender is deleting. For the IKE SA
 * itself the SPI size and count are zero (the SA is the one the message travels on); for ESP and AH
 * it lists the sender's inbound 4-byte SPIs.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * ~               Security Parameter Index(es) (SPI)              ~
 * </pre>
 */
public record DeletePayload(int protocolId, int spiSize, List<byte[]> spis) implements Payload {
  /** Checks the field widths and that every SPI has {@code spiSize} bytes; copies the SPIs. */
  public DeletePayload {
    Fields.u8(protocolId, "protocol id");
    Fields.u8(spiSize, "spi size");
    Fields.u16(spis.size(), "number of spis");
    List<byte[]> copies = new ArrayList<>(spis.size());
    for (byte[] spi : spis) {
      if (spi.length != spiSize) {
        throw new IllegalArgumentException("spi of " + spi.length + " bytes, size is " + spiSize);
      }
      copies.add(spi.clone());
    }
    spis = List.copyOf(copies);
  }

  /** Deletes the IKE SA the message is sent on. */
  public static DeletePayload ike() {
    return new DeletePayload(TransformType.PROTOCOL_IKE, 0, List.of());
  }

  /** Deletes ESP SAs, named by the sender's inbound SPIs. */
  public static DeletePayload esp(int... spis) {
    List<byte[]> list = new ArrayList<>(spis.length);
    for (int spi : spis) {
      byte[] b = new byte[4];
      WireWriter.putInt(b, 0, spi);
      list.add(b);
    }
    return new DeletePayload(TransformType.PROTOCOL_ESP, 4, list);
  }

  @Override
  public int type() {
    return PayloadType.DELETE;
  }

  /** Copies of the SPIs. */
  @Override
  public List<byte[]> spis() {
    return spis.stream().map(byte[]::clone).toList();
  }

  /** The SPIs as 32-bit values, for ESP and AH deletes. */
  public int[] spiValues() {
    if (spiSize != 4) {
      throw new IllegalStateException("spi size is " + spiSize + ", not 4");
    }
    return spis.stream().mapToInt(b -> WireReader.getInt(b, 0)).toArray();
  }

  static DeletePayload decode(WireReader r) throws IkeParseException {
    int protocolId = r.u8("delete protocol id");
    int spiSize = r.u8("delete spi size");
    int count = r.u16("delete spi count");
    // Checked before allocating anything: the count must describe exactly the bytes that are there.
    if (spiSize == 0 ? count != 0 : (long) spiSize * count != r.remaining()) {
      throw IkeParseException.malformed(
          "delete of " + count + " spis of " + spiSize + " bytes in " + r.remaining() + " bytes");
    }
    List<byte[]> spis = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      spis.add(r.bytes(spiSize, "delete spi"));
    }
    r.expectEnd("delete");
    return new DeletePayload(protocolId, spiSize, spis);
  }

  void encodeBody(WireWriter w) {
    w.u8(protocolId).u8(spiSize).u16(spis.size());
    spis.forEach(w::bytes);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeletePayload d)
        || protocolId != d.protocolId
        || spiSize != d.spiSize
        || spis.size() != d.spis.size()) {
      return false;
    }
    for (int i = 0; i < spis.size(); i++) {
      if (!Arrays.equals(spis.get(i), d.spis.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(protocolId, spiSize);
    for (byte[] spi : spis) {
      h = 31 * h + Arrays.hashCode(spi);
    }
    return h;
  }

  /** SPIs are not secret and are what an operator greps for, so they print in hex. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("D[proto ").append(protocolId);
    for (byte[] spi : spis) {
      sb.append(" ").append(HexFormat.of().formatHex(spi));
    }
    return sb.append(']').toString();
  }
}
