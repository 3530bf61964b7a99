package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Traffic Selector payload, TSi or TSr (RFC 7296 3.13): the selectors of one side of a Child SA.
 * Selectors of a type other than the IPv4 and IPv6 address ranges are left out when decoding (RFC
 * 7296 3.13.1 has receivers ignore unknown types), so a decoded payload may list fewer selectors
 * than its Number of TSs field said.
 *
 * <pre>
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * | Number of TSs |                 RESERVED                      |
 * ~                       <Traffic Selectors>                     ~
 * </pre>
 */
public record TsPayload(boolean initiator, List<TrafficSelectorEntry> selectors)
    implements Payload {
  /** Copies the list and checks that its size fits the one-byte count. */
  public TsPayload {
    selectors = List.copyOf(selectors);
    Fields.u8(selectors.size(), "number of traffic selectors");
  }

  @Override
  public int type() {
    return initiator ? PayloadType.TSI : PayloadType.TSR;
  }

  static TsPayload decode(WireReader r, boolean initiator) throws IkeParseException {
    int count = r.u8("number of TSs");
    r.skip(3, "TS reserved");
    List<TrafficSelectorEntry> selectors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      TrafficSelectorEntry ts = TrafficSelectorEntry.decode(r);
      if (ts != null) {
        selectors.add(ts);
      }
    }
    r.expectEnd("TS payload");
    return new TsPayload(initiator, selectors);
  }

  void encodeBody(WireWriter w) {
    w.u8(selectors.size()).zeros(3);
    selectors.forEach(ts -> ts.encode(w));
  }

  @Override
  public String toString() {
    return PayloadType.name(type()) + selectors;
  }
}
