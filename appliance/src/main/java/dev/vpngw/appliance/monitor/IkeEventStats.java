package dev.vpngw.appliance.monitor;

import dev.vpngw.ikev2.IkeLog;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Counts of IKE events by kind and labels, fed by the IKE thread's event log ({@link IkeLog}) and
 * read by the exporters: exchanges completed and failed (by exchange type, role and notify),
 * rekeys, DPD checks and dead peers, NAT detections. Counting is a map lookup and an add on the IKE
 * thread; reads take a sorted copy.
 */
public final class IkeEventStats implements Consumer<IkeLog.Event> {
  /** What is counted; each has its own labels after the connection. */
  public enum Kind {
    /** {@code exchange_completed}: labels exchange type and role. */
    EXCHANGE,
    /** {@code exchange_failed}, {@code child_sa_failed} and {@code peer_unreachable}. */
    EXCHANGE_FAILURE,
    /** {@code child_sa_rekeyed}. */
    CHILD_REKEY,
    /** {@code ike_sa_rekeyed}. */
    IKE_REKEY,
    /** {@code dpd_sent}: a liveness check we sent. */
    DPD_CHECK,
    /** {@code ike_sa_down} after an unanswered liveness check. */
    DEAD_PEER,
    /** {@code nat_detected}. */
    NAT_DETECTED,
    /** {@code ike_sa_established}. */
    IKE_ESTABLISHED,
    /** {@code ike_sa_down}. */
    IKE_DOWN
  }

  /**
   * A counter's identity.
   *
   * @param kind what it counts
   * @param connection the connection, "" for events without one
   * @param labels the kind's further label values, in its order
   */
  public record Key(Kind kind, String connection, List<String> labels) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = kind.compareTo(o.kind);
      if (c == 0) {
        c = connection.compareTo(o.connection);
      }
      return c != 0 ? c : String.join("\u0000", labels).compareTo(String.join("\u0000", o.labels));
    }
  }

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void accept(IkeLog.Event e) {
    String c = e.connection() == null ? "" : e.connection();
    switch (e.name()) {
      case "exchange_completed" ->
          add(Kind.EXCHANGE, c, or(e.field("type"), "unknown"), or(e.field("role"), "unknown"));
      case "exchange_failed" ->
          add(
              Kind.EXCHANGE_FAILURE,
              c,
              or(e.field("type"), "unknown"),
              or(e.field("notify"), "none"));
      case "child_sa_failed" ->
          add(Kind.EXCHANGE_FAILURE, c, "CHILD_SA", or(e.field("notify"), "none"));
      case "peer_unreachable" ->
          add(Kind.EXCHANGE_FAILURE, c, or(e.field("type"), "unknown"), "no_response");
      case "child_sa_rekeyed" -> add(Kind.CHILD_REKEY, c);
      case "ike_sa_rekeyed" -> add(Kind.IKE_REKEY, c);
      case "dpd_sent" -> add(Kind.DPD_CHECK, c);
      case "nat_detected" -> add(Kind.NAT_DETECTED, c);
      case "ike_sa_established" -> add(Kind.IKE_ESTABLISHED, c);
      case "ike_sa_down" -> {
        add(Kind.IKE_DOWN, c);
        if (or(e.field("reason"), "").startsWith("no response to dpd")) {
          add(Kind.DEAD_PEER, c);
        }
      }
      default -> {}
    }
  }

  private void add(Kind kind, String connection, String... labels) {
    counts
        .computeIfAbsent(new Key(kind, connection, List.of(labels)), k -> new LongAdder())
        .increment();
  }

  private static String or(String v, String otherwise) {
    return v == null ? otherwise : v;
  }

  /** Every counter so far, sorted. */
  public Map<Key, Long> snapshot() {
    Map<Key, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** One counter's value (0 if it never counted). */
  public long get(Kind kind, String connection, String... labels) {
    LongAdder a = counts.get(new Key(kind, connection, List.of(labels)));
    return a == null ? 0 : a.sum();
  }
}
