package dev.vpngw.ikev2;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * The IKE daemon's event log: one line per event, {@code key=value} pairs, the event name and the
 * connection first, so a line is both readable and machine-parsed. Never given key material: the
 * callers pass SPIs, names, algorithms and reasons only.
 */
public final class IkeLog {
  private final Consumer<String> sink;

  /** A log that hands each finished line to {@code sink}. */
  public IkeLog(Consumer<String> sink) {
    this.sink = sink;
  }

  /** A log to standard output. */
  public static IkeLog stdout() {
    return new IkeLog(line -> System.out.println(line));
  }

  /**
   * Logs one event.
   *
   * @param event the event name, e.g. {@code ike_sa_established}
   * @param connection the connection, or null
   * @param pairs alternating keys and values
   */
  public void event(String event, String connection, Object... pairs) {
    StringBuilder sb = new StringBuilder(128);
    sb.append("ts=").append(Instant.now()).append(" event=").append(event);
    if (connection != null) {
      sb.append(" connection=").append(quote(connection));
    }
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      sb.append(' ').append(pairs[i]).append('=').append(quote(String.valueOf(pairs[i + 1])));
    }
    sink.accept(sb.toString());
  }

  private static String quote(String v) {
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
