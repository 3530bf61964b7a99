package dev.vpngw.appliance.monitor;

import dev.vpngw.appliance.monitor.IkeEventStats.Kind;
import dev.vpngw.counters.CounterTypes;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Renders the gateway's metrics in the Prometheus text format 0.0.4 (docs/MONITORING.md lists
 * them): traffic and drops per connection and per SA and gateway-wide from the counters file, SA
 * states and ages from the IKE thread, IKE exchange, rekey, DPD and NAT counts from its events, and
 * the HA role. Names follow Prometheus conventions: a {@code vpngw_} prefix, base units, {@code
 * _total} on counters, one {@code connection} label; no key material exists in any input.
 */
public final class MetricsRenderer {
  /**
   * A configured connection.
   *
   * @param name its name
   * @param keying {@code ike} or {@code manual}
   * @param peer the site's gateway address
   */
  public record ConnectionInfo(String name, String keying, String peer) {}

  /**
   * Everything one scrape shows.
   *
   * @param gateway the gateway's name
   * @param version the software version
   * @param startTimeMs when the gateway started (the counters file's creation)
   * @param connections the configured connections
   * @param sample the counters, with per-connection totals
   * @param ikeSas the IKE thread's SAs, or null if it did not answer in time
   * @param events IKE event counts
   * @param journalFailures events the journal failed to write, or -1 without a journal
   * @param threadCpuSeconds CPU seconds of the dataplane and IKE threads, by thread name
   * @param haRole {@code standalone}, {@code active} or {@code standby}
   * @param haEpoch the HA fencing epoch (0 standalone)
   */
  public record Inputs(
      String gateway,
      String version,
      long startTimeMs,
      List<ConnectionInfo> connections,
      ConnectionTotals.Sample sample,
      List<IkeSaView> ikeSas,
      Map<IkeEventStats.Key, Long> events,
      long journalFailures,
      Map<String, Double> threadCpuSeconds,
      String haRole,
      long haEpoch) {
    /** A standalone gateway's inputs. */
    public Inputs(
        String gateway,
        String version,
        long startTimeMs,
        List<ConnectionInfo> connections,
        ConnectionTotals.Sample sample,
        List<IkeSaView> ikeSas,
        Map<IkeEventStats.Key, Long> events,
        long journalFailures,
        Map<String, Double> threadCpuSeconds) {
      this(
          gateway,
          version,
          startTimeMs,
          connections,
          sample,
          ikeSas,
          events,
          journalFailures,
          threadCpuSeconds,
          "standalone",
          0);
    }
  }

  private MetricsRenderer() {}

  /** The text of one scrape. */
  public static String render(Inputs in) {
    PrometheusText t = new PrometheusText();
    t.family("vpngw_info", "gauge", "The gateway's name and software version (always 1).")
        .sample("vpngw_info", 1, "gateway", in.gateway, "version", in.version);
    t.family(
            "vpngw_start_time_seconds",
            "gauge",
            "When the gateway process started, in seconds since the Unix epoch.")
        .sample("vpngw_start_time_seconds", in.startTimeMs / 1000.0);
    t.family(
            "vpngw_ha_role",
            "gauge",
            "The gateway's HA role: 1 for the current one of standalone, active, standby.")
        .sample("vpngw_ha_role", 1, "role", in.haRole);
    t.family(
            "vpngw_ha_epoch",
            "gauge",
            "The HA fencing epoch (it grows with every takeover); 0 for a standalone gateway.")
        .sample("vpngw_ha_epoch", in.haEpoch);
    connections(t, in);
    securityAssociations(t, in.sample);
    gatewayWide(t, in.sample);
    ikeState(t, in);
    ikeEvents(t, in);
    if (!in.threadCpuSeconds.isEmpty()) {
      t.family(
          "vpngw_thread_cpu_seconds_total",
          "counter",
          "CPU time of the gateway's dataplane and IKE threads; its rate approximates a thread's"
              + " utilisation, with a floor: idle agents spin, yield and park up to 100 us.");
      for (Map.Entry<String, Double> e : in.threadCpuSeconds.entrySet()) {
        t.sample("vpngw_thread_cpu_seconds_total", e.getValue(), "thread", e.getKey());
      }
    }
    if (in.journalFailures >= 0) {
      t.family(
              "vpngw_event_journal_write_failures_total",
              "counter",
              "IKE events the event journal failed to write (they are still in the log).")
          .sample("vpngw_event_journal_write_failures_total", in.journalFailures);
    }
    return t.toString();
  }

  private static void connections(PrometheusText t, Inputs in) {
    t.family(
        "vpngw_connection_info",
        "gauge",
        "A configured connection: how it is keyed (ike or manual) and its peer (always 1).");
    for (ConnectionInfo c : in.connections) {
      t.sample(
          "vpngw_connection_info", 1, "connection", c.name, "keying", c.keying, "peer", c.peer);
    }
    t.family(
        "vpngw_connection_up",
        "gauge",
        "1 while the connection has an inbound and an outbound SA in the dataplane, else 0.");
    for (ConnectionInfo c : in.connections) {
      t.sample("vpngw_connection_up", in.sample.up(c.name) ? 1 : 0, "connection", c.name);
    }
    t.family(
        "vpngw_connection_packets_total",
        "counter",
        "Inner packets through the connection's SAs, past and present: in = received, authenticated"
            + " and delivered to the LAN; out = encrypted and sent.");
    for (ConnectionInfo c : in.connections) {
      ConnectionTotals.Traffic x = in.sample.connection(c.name);
      t.sample(
          "vpngw_connection_packets_total", x.packetsIn(), "connection", c.name, "direction", "in");
      t.sample(
          "vpngw_connection_packets_total",
          x.packetsOut(),
          "connection",
          c.name,
          "direction",
          "out");
    }
    t.family(
        "vpngw_connection_bytes_total",
        "counter",
        "Inner bytes through the connection's SAs, past and present (see packets).");
    for (ConnectionInfo c : in.connections) {
      ConnectionTotals.Traffic x = in.sample.connection(c.name);
      t.sample(
          "vpngw_connection_bytes_total", x.bytesIn(), "connection", c.name, "direction", "in");
      t.sample(
          "vpngw_connection_bytes_total", x.bytesOut(), "connection", c.name, "direction", "out");
    }
    t.family(
        "vpngw_connection_drops_total",
        "counter",
        "Packets of the connection's SAs dropped, by reason (other: reasons an SA does not count"
            + " separately).");
    for (ConnectionInfo c : in.connections) {
      for (Map.Entry<Integer, Long> d : in.sample.connection(c.name).drops().entrySet()) {
        t.sample(
            "vpngw_connection_drops_total",
            d.getValue(),
            "connection",
            c.name,
            "reason",
            DropReasonLabels.of(d.getKey()));
      }
    }
  }

  private static void securityAssociations(PrometheusText t, ConnectionTotals.Sample sample) {
    t.family("vpngw_sa_packets_total", "counter", "Inner packets through one live SA (by SPI).");
    for (ConnectionTotals.SaSample sa : sample.sas()) {
      t.sample("vpngw_sa_packets_total", sa.packets(), saLabels(sa));
    }
    t.family("vpngw_sa_bytes_total", "counter", "Inner bytes through one live SA (by SPI).");
    for (ConnectionTotals.SaSample sa : sample.sas()) {
      t.sample("vpngw_sa_bytes_total", sa.bytes(), saLabels(sa));
    }
    t.family("vpngw_sa_drops_total", "counter", "Packets of one live SA dropped, by reason.");
    for (ConnectionTotals.SaSample sa : sample.sas()) {
      for (Map.Entry<Integer, Long> d : sa.drops().entrySet()) {
        t.sample(
            "vpngw_sa_drops_total",
            d.getValue(),
            "connection",
            sa.connection(),
            "direction",
            sa.inbound() ? "in" : "out",
            "spi",
            spi(sa.spi()),
            "reason",
            DropReasonLabels.of(d.getKey()));
      }
    }
  }

  private static String[] saLabels(ConnectionTotals.SaSample sa) {
    return new String[] {
      "connection", sa.connection(), "direction", sa.inbound() ? "in" : "out", "spi", spi(sa.spi())
    };
  }

  private static void gatewayWide(PrometheusText t, ConnectionTotals.Sample sample) {
    var s = sample.snapshot();
    t.family(
            "vpngw_esp_packets_total",
            "counter",
            "Inner packets the crypto workers delivered (in) and encrypted (out), all tunnels.")
        .sample("vpngw_esp_packets_total", s.total(CounterTypes.ESP_PACKETS_IN), "direction", "in")
        .sample(
            "vpngw_esp_packets_total", s.total(CounterTypes.ESP_PACKETS_OUT), "direction", "out");
    t.family("vpngw_esp_bytes_total", "counter", "Inner bytes of those packets, all tunnels.")
        .sample("vpngw_esp_bytes_total", s.total(CounterTypes.ESP_BYTES_IN), "direction", "in")
        .sample("vpngw_esp_bytes_total", s.total(CounterTypes.ESP_BYTES_OUT), "direction", "out");
    t.family(
            "vpngw_bandwidth_limit_bytes_per_second",
            "gauge",
            "The aggregate bandwidth limit (the SKU's) of inner traffic per direction, shared by"
                + " all tunnels; 0 for none.")
        .sample(
            "vpngw_bandwidth_limit_bytes_per_second",
            s.total(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.INBOUND),
            "direction",
            "in")
        .sample(
            "vpngw_bandwidth_limit_bytes_per_second",
            s.total(CounterTypes.BANDWIDTH_LIMIT, CounterTypes.OUTBOUND),
            "direction",
            "out");
    t.family(
            "vpngw_bandwidth_used_bytes_per_second",
            "gauge",
            "Inner bytes per second the bandwidth limiter let through per direction over its last"
                + " 50 ms interval, all tunnels (what counts against the limit).")
        .sample(
            "vpngw_bandwidth_used_bytes_per_second",
            s.total(CounterTypes.BANDWIDTH_USED, CounterTypes.INBOUND),
            "direction",
            "in")
        .sample(
            "vpngw_bandwidth_used_bytes_per_second",
            s.total(CounterTypes.BANDWIDTH_USED, CounterTypes.OUTBOUND),
            "direction",
            "out");
    t.family(
        "vpngw_drops_total",
        "counter",
        "Packets the gateway dropped, by reason, whichever agent dropped them (no_route, bad_icv,"
            + " replayed, ...).");
    SortedMap<Integer, Long> drops = s.dropsByReason();
    for (Map.Entry<Integer, Long> d : drops.entrySet()) {
      t.sample("vpngw_drops_total", d.getValue(), "reason", DropReasonLabels.of(d.getKey()));
    }
  }

  private static void ikeState(PrometheusText t, Inputs in) {
    boolean anyIke = in.connections.stream().anyMatch(c -> c.keying.equals("ike"));
    if (!anyIke) {
      return;
    }
    t.family(
            "vpngw_ike_state_available",
            "gauge",
            "1 if the IKE thread answered this scrape's question for its SAs in time; 0 if not, and"
                + " the IKE and child SA state metrics are missing from this scrape.")
        .sample("vpngw_ike_state_available", in.ikeSas == null ? 0 : 1);
    if (in.ikeSas == null) {
      return;
    }
    t.family(
        "vpngw_ike_sa_state",
        "gauge",
        "One IKE SA and its state (CONNECTING, ESTABLISHED, REKEYING, REKEYED, DELETING), always"
            + " 1.");
    for (IkeSaView sa : in.ikeSas) {
      t.sample("vpngw_ike_sa_state", 1, ikeLabels(sa, "state", sa.state()));
    }
    t.family(
        "vpngw_ike_sa_age_seconds",
        "gauge",
        "Seconds since the IKE SA was established (since it was started while connecting).");
    for (IkeSaView sa : in.ikeSas) {
      t.sample("vpngw_ike_sa_age_seconds", sa.ageSeconds(), ikeLabels(sa));
    }
    t.family(
        "vpngw_child_sa_state",
        "gauge",
        "One child SA pair and its state (INSTALLED, REKEYING, REKEYED, DELETING), always 1.");
    for (IkeSaView sa : in.ikeSas) {
      for (IkeSaView.Child c : sa.children()) {
        t.sample(
            "vpngw_child_sa_state",
            1,
            "connection",
            sa.connection(),
            "spi_in",
            spi(c.inboundSpi()),
            "spi_out",
            spi(c.outboundSpi()),
            "state",
            c.state());
      }
    }
    t.family("vpngw_child_sa_age_seconds", "gauge", "Seconds since the child SA was installed.");
    for (IkeSaView sa : in.ikeSas) {
      for (IkeSaView.Child c : sa.children()) {
        t.sample(
            "vpngw_child_sa_age_seconds",
            c.ageSeconds(),
            "connection",
            sa.connection(),
            "spi_in",
            spi(c.inboundSpi()),
            "spi_out",
            spi(c.outboundSpi()));
      }
    }
  }

  private static String[] ikeLabels(IkeSaView sa, String... more) {
    String[] base = {
      "connection",
      sa.connection(),
      "spi_i",
      String.format("%016x", sa.initiatorSpi()),
      "spi_r",
      String.format("%016x", sa.responderSpi())
    };
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static void ikeEvents(PrometheusText t, Inputs in) {
    List<String> ike =
        in.connections.stream().filter(c -> c.keying.equals("ike")).map(c -> c.name).toList();
    if (ike.isEmpty()) {
      return;
    }
    t.family(
        "vpngw_ike_exchanges_total",
        "counter",
        "IKE exchanges completed, by exchange type and our role (initiator or responder).");
    for (Map.Entry<IkeEventStats.Key, Long> e : in.events.entrySet()) {
      if (e.getKey().kind() == Kind.EXCHANGE) {
        List<String> l = e.getKey().labels();
        t.sample(
            "vpngw_ike_exchanges_total",
            e.getValue(),
            "connection",
            e.getKey().connection(),
            "exchange",
            l.get(0),
            "role",
            l.get(1));
      }
    }
    t.family(
        "vpngw_ike_exchange_failures_total",
        "counter",
        "IKE exchanges that failed, by exchange type and the notify that ended them (no_response:"
            + " the peer never answered; none: failed without a notify).");
    for (Map.Entry<IkeEventStats.Key, Long> e : in.events.entrySet()) {
      if (e.getKey().kind() == Kind.EXCHANGE_FAILURE) {
        List<String> l = e.getKey().labels();
        t.sample(
            "vpngw_ike_exchange_failures_total",
            e.getValue(),
            "connection",
            e.getKey().connection(),
            "exchange",
            l.get(0),
            "notify",
            l.get(1));
      }
    }
    perConnection(
        t, in, ike, Kind.CHILD_REKEY, "vpngw_child_sa_rekeys_total", "Child SAs rekeyed.");
    perConnection(t, in, ike, Kind.IKE_REKEY, "vpngw_ike_sa_rekeys_total", "IKE SAs rekeyed.");
    perConnection(
        t,
        in,
        ike,
        Kind.IKE_ESTABLISHED,
        "vpngw_ike_sa_established_total",
        "IKE SAs established (by IKE_AUTH; rekeys not counted).");
    perConnection(t, in, ike, Kind.IKE_DOWN, "vpngw_ike_sa_down_total", "IKE SAs that went down.");
    perConnection(
        t, in, ike, Kind.DPD_CHECK, "vpngw_dpd_checks_total", "Liveness checks (DPD) we sent.");
    perConnection(
        t,
        in,
        ike,
        Kind.DEAD_PEER,
        "vpngw_dpd_dead_peers_total",
        "IKE SAs ended because a liveness check went unanswered.");
    perConnection(
        t,
        in,
        ike,
        Kind.NAT_DETECTED,
        "vpngw_nat_detections_total",
        "IKE SAs that found a NAT between the peers (or forced UDP encapsulation).");
  }

  private static void perConnection(
      PrometheusText t, Inputs in, List<String> ike, Kind kind, String name, String help) {
    t.family(name, "counter", help);
    for (String c : ike) {
      IkeEventStats.Key key = new IkeEventStats.Key(kind, c, List.of());
      t.sample(name, in.events.getOrDefault(key, 0L), "connection", c);
    }
  }

  private static String spi(int spi) {
    return String.format("0x%08x", spi);
  }
}
