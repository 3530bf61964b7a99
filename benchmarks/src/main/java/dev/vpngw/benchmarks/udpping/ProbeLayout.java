package dev.vpngw.benchmarks.udpping;

/**
 * The layout of one latency probe's UDP payload, big-endian; the echo server returns it unchanged,
 * so the client learns the round-trip time from its own clock alone (no clock sync between the two
 * namespaces' processes is needed, nor assumed).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Run identifier                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Sequence number (64 bits)                   |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Send time, System.nanoTime (64 bits)             |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Padding up to the requested size ...            |
 * </pre>
 *
 * The run identifier is random per client run: an echo of a packet sent by an earlier run (a late
 * one, still queued behind a slow tunnel) is not counted in this one.
 */
final class ProbeLayout {
  static final int RUN_ID_OFFSET = 0;
  static final int SEQUENCE_OFFSET = 4;
  static final int SEND_TIME_OFFSET = 12;
  static final int MIN_LENGTH = 20;

  /** IPv4 (20) and UDP (8) headers: a payload of {@code n} bytes is an IP packet of n + 28. */
  static final int IPV4_UDP_OVERHEAD = 28;

  private ProbeLayout() {}
}
