package dev.vpngw.appliance.monitor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an SA's counter description ({@code "site-a in spi 0x0000c001 peer 203.0.113.7"},
 * see {@code SaCounters}): the counters file keys an SA by SPI, direction and connection id, and
 * names the connection only in the label, so readers in other processes take it from there.
 *
 * @param connection the connection's name
 * @param peer the peer's address as the label shows it
 */
public record SaLabel(String connection, String peer) {
  // Greedy on the name: a connection name with spaces still ends before the last " in spi ".
  private static final Pattern FORM =
      Pattern.compile("(.*) (?:in|out) spi 0x[0-9a-f]{8} peer (.*)");

  /** Parses a description; a label of another form is all connection name, peer unknown. */
  public static SaLabel parse(String description) {
    Matcher m = FORM.matcher(description);
    if (m.matches()) {
      return new SaLabel(m.group(1), m.group(2));
    }
    return new SaLabel(description, "");
  }
}
