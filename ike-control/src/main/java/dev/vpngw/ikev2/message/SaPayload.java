package dev.vpngw.ikev2.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Security Association payload (RFC 7296 3.3): the proposals offered, or the one chosen in a
 * response. The body is the proposal substructures back to back; see {@link Proposal}.
 */
public record SaPayload(List<Proposal> proposals) implements Payload {
  /** Copies the list. */
  public SaPayload {
    proposals = List.copyOf(proposals);
  }

  /** An SA payload with these proposals. */
  public static SaPayload of(Proposal... proposals) {
    return new SaPayload(List.of(proposals));
  }

  @Override
  public int type() {
    return PayloadType.SA;
  }

  static SaPayload decode(WireReader r) throws IkeParseException {
    List<Proposal> proposals = new ArrayList<>();
    while (r.remaining() > 0) {
      proposals.add(Proposal.decode(r));
    }
    return new SaPayload(proposals);
  }

  void encodeBody(WireWriter w) {
    for (int i = 0; i < proposals.size(); i++) {
      proposals.get(i).encode(w, i == proposals.size() - 1);
    }
  }

  @Override
  public String toString() {
    return "SA" + proposals;
  }
}
