package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One proposal substructure of an SA payload (RFC 7296 3.3.1): a number, a protocol (IKE, AH, ESP),
 * the SPI (empty in an initial IKE proposal, 8 bytes when rekeying an IKE SA, 4 for ESP and AH) and
 * its transforms. The numbering rules of RFC 7296 3.3.1 are the negotiating code's to enforce; the
 * decoder keeps what is there.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record Proposal(int number, int protocolId, byte[] spi, List<Transform> transforms) {
  /** Last Substruc value of a proposal that is followed by another one. */
  static final int MORE = 2;

  private static final int HEADER_LENGTH = 8;

  /** Checks the field widths and copies the SPI and the list. */
  public Proposal {
    Fields.u8(number, "proposal number");
    Fields.u8(protocolId, "protocol id");
    spi = Fields.copy(spi, 0xFF, "spi");
    transforms = List.copyOf(transforms);
    Fields.u8(transforms.size(), "number of transforms");
  }

  /** An IKE proposal without SPI, as in IKE_SA_INIT. */
  public static Proposal ike(int number, Transform... transforms) {
    return new Proposal(number, TransformType.PROTOCOL_IKE, new byte[0], List.of(transforms));
  }

  /** An ESP proposal with the 4-byte inbound SPI the sender picked. */
  public static Proposal esp(int number, int spi, Transform... transforms) {
    byte[] b = new byte[4];
    WireWriter.putInt(b, 0, spi);
    return new Proposal(number, TransformType.PROTOCOL_ESP, b, List.of(transforms));
  }

  /** A copy of the SPI bytes. */
  @Override
  public byte[] spi() {
    return spi.clone();
  }

  /** The transforms of one type, in proposal order. */
  public List<Transform> transforms(int type) {
    return transforms.stream().filter(t -> t.type() == type).toList();
  }

  static Proposal decode(WireReader r) throws IkeParseException {
    int last = r.u8("proposal last substruc");
    if (last != 0 && last != MORE) {
      throw IkeParseException.malformed("proposal last substruc " + last);
    }
    r.skip(1, "proposal reserved");
    int length = r.u16("proposal length");
    if (length < HEADER_LENGTH) {
      throw IkeParseException.malformed("proposal length " + length);
    }
    WireReader p = r.slice(length - 4, "proposal");
    int number = p.u8("proposal number");
    int protocolId = p.u8("protocol id");
    int spiSize = p.u8("spi size");
    int count = p.u8("number of transforms");
    byte[] spi = p.bytes(spiSize, "proposal spi");
    List<Transform> transforms = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      transforms.add(Transform.decode(p));
    }
    p.expectEnd("proposal");
    return new Proposal(number, protocolId, spi, transforms);
  }

  void encode(WireWriter w, boolean lastInSa) {
    int start = w.size();
    w.u8(lastInSa ? 0 : MORE).u8(0).u16(0);
    w.u8(number).u8(protocolId).u8(spi.length).u8(transforms.size()).bytes(spi);
    for (int i = 0; i < transforms.size(); i++) {
      transforms.get(i).encode(w, i == transforms.size() - 1);
    }
    int length = w.size() - start;
    if (length > 0xFFFF) {
      throw new IllegalArgumentException("proposal longer than 65535 bytes");
    }
    w.patchU16(start + 2, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Proposal p
        && number == p.number
        && protocolId == p.protocolId
        && Arrays.equals(spi, p.spi)
        && transforms.equals(p.transforms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(number, protocolId, Arrays.hashCode(spi), transforms);
  }

  @Override
  public String toString() {
    return "Proposal[#"
        + number
        + " proto "
        + protocolId
        + " spi "
        + Fields.len(spi)
        + " "
        + transforms
        + "]";
  }
}
