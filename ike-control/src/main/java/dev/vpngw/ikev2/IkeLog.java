package dev.vpngw.ikev2;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The IKE daemon's event log: one line per event, {@code key=value} pairs, the event name and the
 * connection first, so a line is both readable and machine-parsed. Never given key material: the
 * callers pass SPIs, names, algorithms and reasons only.
 *
 * <p>Besides the line, each event goes as an {@link Event} to an optional listener (the appliance's
 * event journal and metrics), on the IKE thread: a listener must be quick and must not throw.
 */
public final class IkeLog {
  /**
   * One event as logged.
   *
   * @param time when it was logged
   * @param name the event name, e.g. {@code ike_sa_established}
   * @param connection the connection, or null
   * @param fields alternating keys and values, as strings
   */
  public record Event(Instant time, String name, String connection, List<String> fields) {
    /** The value of {@code key}, or null. */
    public String field(String key) {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if (fields.get(i).equals(key)) {
          return fields.get(i + 1);
        }
      }
      return null;
    }

    /** The log line: {@code ts=... event=... connection=... key=value ...}. */
    public String line() {
      StringBuilder sb = new StringBuilder(128);
      sb.append("ts=").append(time).append(" event=").append(name);
      if (connection != null) {
        sb.append(" connection=").append(quote(connection));
      }
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        sb.append(' ').append(fields.get(i)).append('=').append(quote(fields.get(i + 1)));
      }
      return sb.toString();
    }
  }

  private final Consumer<String> sink;
  private final Consumer<Event> listener;

  /** A log that hands each finished line to {@code sink}. */
  public IkeLog(Consumer<String> sink) {
    this(sink, event -> {});
  }

  /** A log that hands each finished line to {@code sink} and each event to {@code listener}. */
  public IkeLog(Consumer<String> sink, Consumer<Event> listener) {
    this.sink = sink;
    this.listener = listener;
  }

  /** A log to standard output. */
  public static IkeLog stdout() {
    return stdout(event -> {});
  }

  /** A log to standard output whose events also go to {@code listener}. */
  public static IkeLog stdout(Consumer<Event> listener) {
    return new IkeLog(line -> System.out.println(line), listener);
  }

  /**
   * Logs one event.
   *
   * @param event the event name, e.g. {@code ike_sa_established}
   * @param connection the connection, or null
   * @param pairs alternating keys and values
   */
  public void event(String event, String connection, Object... pairs) {
    List<String> fields = new ArrayList<>(pairs.length);
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      fields.add(String.valueOf(pairs[i]));
      fields.add(String.valueOf(pairs[i + 1]));
    }
    Event e = new Event(Instant.now(), event, connection, Collections.unmodifiableList(fields));
    sink.accept(e.line());
    listener.accept(e);
  }

  /** A value as it appears in a line: bare, or quoted when it holds a space, quote or '='. */
  public static String quote(String v) {
    if (!v.isEmpty() && v.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
      return v;
    }
    StringBuilder sb = new StringBuilder(v.length() + 2).append('"');
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c < 0x20 ? ' ' : c);
    }
    return sb.append('"').toString();
  }

  /** An SPI as strongSwan prints it. */
  public static String spi(int spi) {
    return String.format("%08x", spi);
  }

  /** An IKE SPI as strongSwan prints it. */
  public static String spi(long spi) {
    return String.format("%016x", spi);
  }
}
