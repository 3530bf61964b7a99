package dev.vpngw.counters;

import dev.vpngw.esp.DropReason;
import dev.vpngw.sa.SecurityAssociation;

/**
 * The type ids of the gateway's counters and the layout of their keys, like Aeron's {@code
 * AeronCounters} and {@code SystemCounterDescriptor}: the counters file stores a type id and up to
 * {@value org.agrona.concurrent.status.CountersReader#MAX_KEY_LENGTH} key bytes with each counter,
 * and readers (the CLI, exporters) find counters by these numbers, not by parsing labels. The ids
 * are stable: never renumber one, only add.
 *
 * <p>Gateway-wide counts are summed over writers: every agent owns its counters (one writer each,
 * so no atomic read-modify-write per packet) and a reader adds up all counters of a type, or of a
 * type and drop reason.
 *
 * <pre>
 *  DROPS key:                         SA_* key:
 *  +-------------------------------+  +-------------------------------+
 *  | reason id (int, offset 0)     |  | SPI (int, offset 0)           |
 *  +-------------------------------+  | direction (int, offset 4)     |
 *                                     | connection id (long, 8)       |
 *                                     | reason id (int, 16; SA_DROPS) |
 *                                     +-------------------------------+
 * </pre>
 *
 * Keys are in the machine's byte order (Agrona's default), as Aeron's are: the file is only read on
 * the host that writes it.
 */
public final class CounterTypes {
  /**
   * Packets dropped for one reason by one agent; key: the reason id, a {@link DropReason} or a
   * {@link PipelineDropReason} id.
   */
  public static final int DROPS = 1;

  /**
   * Inner packets one crypto worker decapsulated and delivered: passed every check and handed to
   * the TUN writer.
   */
  public static final int ESP_PACKETS_IN = 2;

  /** Inner bytes one crypto worker decapsulated and delivered. */
  public static final int ESP_BYTES_IN = 3;

  /** Inner packets one crypto worker encapsulated. */
  public static final int ESP_PACKETS_OUT = 4;

  /** Inner bytes one crypto worker encapsulated. */
  public static final int ESP_BYTES_OUT = 5;

  /**
   * TCP/UDP super-packets (GSO, up to 64 KiB) one TUN reader read in one go and cut into segments;
   * no key. See {@link OffloadCounters}.
   */
  public static final int TUN_GSO_PACKETS = 6;

  /** Segments one TUN reader cut from its super-packets; no key. */
  public static final int TUN_GSO_SEGMENTS = 7;

  /** TUN writes one transmit agent made of several coalesced TCP segments (GRO); no key. */
  public static final int TUN_GRO_WRITES = 8;

  /** TCP segments that went into those coalesced writes; no key. */
  public static final int TUN_GRO_SEGMENTS = 9;

  /** Sends of several ESP datagrams at once (UDP_SEGMENT) one transmit agent made; no key. */
  public static final int WAN_GSO_SENDS = 15;

  /** ESP datagrams in those sends; no key. */
  public static final int WAN_GSO_DATAGRAMS = 16;

  /** Receives one WAN agent got with several datagrams the kernel coalesced (UDP_GRO); no key. */
  public static final int WAN_GRO_RECEIVES = 17;

  /** Datagrams in those receives; no key. */
  public static final int WAN_GRO_DATAGRAMS = 18;

  /** Inner packets delivered through one inbound SA; SA key. */
  public static final int SA_PACKETS_IN = 10;

  /** Inner bytes delivered through one inbound SA; SA key. */
  public static final int SA_BYTES_IN = 11;

  /** Inner packets protected by one outbound SA and handed to the transmit agent; SA key. */
  public static final int SA_PACKETS_OUT = 12;

  /** Inner bytes protected by one outbound SA; SA key. */
  public static final int SA_BYTES_OUT = 13;

  /**
   * Packets of one SA dropped for one reason; SA key with the reason id ({@link #OTHER_REASON}).
   */
  public static final int SA_DROPS = 14;

  /**
   * The aggregate bandwidth limit (the SKU's) of one direction in bytes per second, 0 for none;
   * key: the direction ({@link #INBOUND}: decrypted, {@link #OUTBOUND}: encrypted). A gauge the
   * bandwidth allocator sets at every division of the limit.
   */
  public static final int BANDWIDTH_LIMIT = 19;

  /**
   * Inner bytes per second the tunnels' shares of one direction let through over the last division
   * interval (50 ms); key: the direction. A gauge the bandwidth allocator sets.
   */
  public static final int BANDWIDTH_USED = 20;

  /**
   * Key offset of the direction in a {@link #BANDWIDTH_LIMIT} or {@link #BANDWIDTH_USED} counter.
   */
  public static final int BANDWIDTH_DIRECTION_OFFSET = 0;

  /** Key offset of the reason id in a {@link #DROPS} counter. */
  public static final int DROPS_REASON_OFFSET = 0;

  /** Key offset of the SPI in an SA counter. */
  public static final int SA_SPI_OFFSET = 0;

  /** Key offset of the direction ({@link #INBOUND} or {@link #OUTBOUND}) in an SA counter. */
  public static final int SA_DIRECTION_OFFSET = 4;

  /** Key offset of the connection id in an SA counter. */
  public static final int SA_CONNECTION_ID_OFFSET = 8;

  /** Key offset of the reason id in an {@link #SA_DROPS} counter. */
  public static final int SA_REASON_OFFSET = 16;

  /** Direction value of an inbound SA in a key. */
  public static final int INBOUND = 0;

  /** Direction value of an outbound SA in a key. */
  public static final int OUTBOUND = 1;

  /**
   * The reason id of an SA's catch-all drop counter: drops for reasons that SA does not count
   * separately (see {@link SaCounters}). Id 0 is never a drop reason (it is {@code EspResult.OK}).
   */
  public static final int OTHER_REASON = 0;

  private CounterTypes() {}

  /** A short stable name for a type id, for the CLI and exporters; {@code type-N} if unknown. */
  public static String name(int typeId) {
    return switch (typeId) {
      case DROPS -> "drops";
      case ESP_PACKETS_IN -> "esp_packets_in";
      case ESP_BYTES_IN -> "esp_bytes_in";
      case ESP_PACKETS_OUT -> "esp_packets_out";
      case ESP_BYTES_OUT -> "esp_bytes_out";
      case TUN_GSO_PACKETS -> "tun_gso_packets";
      case TUN_GSO_SEGMENTS -> "tun_gso_segments";
      case TUN_GRO_WRITES -> "tun_gro_writes";
      case TUN_GRO_SEGMENTS -> "tun_gro_segments";
      case WAN_GSO_SENDS -> "wan_gso_sends";
      case WAN_GSO_DATAGRAMS -> "wan_gso_datagrams";
      case WAN_GRO_RECEIVES -> "wan_gro_receives";
      case WAN_GRO_DATAGRAMS -> "wan_gro_datagrams";
      case SA_PACKETS_IN -> "sa_packets_in";
      case SA_BYTES_IN -> "sa_bytes_in";
      case SA_PACKETS_OUT -> "sa_packets_out";
      case SA_BYTES_OUT -> "sa_bytes_out";
      case SA_DROPS -> "sa_drops";
      case BANDWIDTH_LIMIT -> "bandwidth_limit";
      case BANDWIDTH_USED -> "bandwidth_used";
      default -> "type-" + typeId;
    };
  }

  /** True for the types with an SA key. */
  public static boolean isSaType(int typeId) {
    return typeId >= SA_PACKETS_IN && typeId <= SA_DROPS;
  }

  /** The key value of a direction. */
  public static int direction(SecurityAssociation.Direction direction) {
    return direction == SecurityAssociation.Direction.INBOUND ? INBOUND : OUTBOUND;
  }

  /**
   * The description of a drop reason id of either kind, "other" for {@link #OTHER_REASON}, or
   * {@code reason N} for an id this build does not know (a newer writer).
   */
  public static String reasonDescription(int reasonId) {
    if (reasonId == OTHER_REASON) {
      return "other";
    }
    if (PipelineDropReason.isPipelineId(reasonId)) {
      return PipelineDropReason.fromId(reasonId).description();
    }
    if (reasonId > 0 && reasonId <= DropReason.MAX_ID) {
      return DropReason.fromId(reasonId).description();
    }
    return "reason " + reasonId;
  }
}
