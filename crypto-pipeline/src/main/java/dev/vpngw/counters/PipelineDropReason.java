package dev.vpngw.counters;

/**
 * Why the pipeline (not the ESP codec) dropped a packet, one counter each, with a stable id and a
 * description like {@link dev.vpngw.esp.DropReason}. The ids start at {@link #FIRST_ID} so they
 * never collide with the codec's: a drop counter's key holds either kind of id, and the counters
 * file, exporters and the CLI key on them. Never renumber one; add new ids at the end.
 */
public enum PipelineDropReason {
  /** No FIB entry covers the inner destination. */
  NO_ROUTE(100, "no route: no FIB entry for the inner destination"),
  /** The FIB names a tunnel that has no outbound SA yet (or any more). */
  NO_SA(101, "tunnel has no outbound SA yet"),
  /** A decrypted inner packet lies outside the SA's traffic selectors (RFC 4301 5.2). */
  SELECTOR_MISMATCH(102, "inbound inner packet outside the SA's traffic selectors"),
  /** The ring to the next agent (or to the SA's owning worker) was full. */
  RING_FULL(103, "handoff queue full"),
  /** The socket or TUN write failed. */
  TX_FAILED(104, "transmit failed"),
  /** A DF (or IPv6) packet larger than the tunnel MTU; an ICMP error went back to its source. */
  TOO_BIG(105, "packet larger than the tunnel MTU with DF set; ICMP error sent"),
  /** Like {@link #TOO_BIG}, but the ICMP error rate limit held the error back. */
  ICMP_RATE_LIMITED(106, "packet larger than the tunnel MTU with DF set; ICMP error rate-limited"),
  /** A packet from TUN that is neither IPv4 nor IPv6 (or too short to tell). */
  NOT_IP(107, "TUN packet that is not IPv4/IPv6"),
  /**
   * An IKE message (non-ESP marker, RFC 3948 2.2) on the NAT-T port found the control ring to the
   * IKE thread full: the IKE thread is behind, and the peer will retransmit.
   */
  CONTROL_RING_FULL(108, "IKE packet on the NAT-T port: control ring full (IKE thread behind)"),
  /**
   * Not a packet: an agent's duty cycle threw (a socket or device error, a bug). The packet being
   * handled, if any, is lost; the stack trace of each distinct error is in the gateway's log.
   */
  AGENT_ERROR(109, "agent errors: a duty cycle threw (stack trace in the log)"),
  /**
   * A TUN frame whose offload header does not fit its packet: a GSO type that does not match the IP
   * version or protocol, headers beyond the packet, a checksum field outside it. The whole frame
   * (every segment it would have made) counts once.
   */
  BAD_OFFLOAD(110, "TUN packet whose offload (vnet) header does not match it"),
  /**
   * The gateway's aggregate bandwidth (its SKU's) was used up and this tunnel had spent its fair
   * share of it: policed, as a rate limiter does.
   */
  BANDWIDTH_LIMIT(111, "over the gateway's bandwidth limit (the tunnel's fair share)");

  /** The smallest id; every codec {@link dev.vpngw.esp.DropReason} id is below it. */
  public static final int FIRST_ID = 100;

  /** The largest id in use. */
  public static final int MAX_ID = 111;

  private static final PipelineDropReason[] BY_ID = new PipelineDropReason[MAX_ID - FIRST_ID + 1];

  static {
    for (PipelineDropReason reason : values()) {
      if (BY_ID[reason.id - FIRST_ID] != null) {
        throw new IllegalStateException("duplicate pipeline drop reason id " + reason.id);
      }
      BY_ID[reason.id - FIRST_ID] = reason;
    }
  }

  private final int id;
  private final String description;

  PipelineDropReason(int id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The stable id, {@link #FIRST_ID} or above. */
  public int id() {
    return id;
  }

  /** One line for people: what happened to the packet. */
  public String description() {
    return description;
  }

  /** True when {@code id} belongs to a reason of this enum. */
  public static boolean isPipelineId(int id) {
    return id >= FIRST_ID && id <= MAX_ID && BY_ID[id - FIRST_ID] != null;
  }

  /**
   * The reason with this id.
   *
   * @throws IllegalArgumentException for an id not in use
   */
  public static PipelineDropReason fromId(int id) {
    if (!isPipelineId(id)) {
      throw new IllegalArgumentException("no pipeline drop reason has id " + id);
    }
    return BY_ID[id - FIRST_ID];
  }
}
