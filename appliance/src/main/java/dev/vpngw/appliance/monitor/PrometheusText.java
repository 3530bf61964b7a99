package dev.vpngw.appliance.monitor;

import java.util.Locale;

/**
 * A writer of the Prometheus text exposition format 0.0.4: a family's {@code # HELP} and {@code #
 * TYPE} lines, then its samples, each {@code name{label="value",...} value}. Label values and help
 * text are escaped as the format demands (backslash, double quote in labels, newline). Writing it
 * ourselves on the JDK's HTTP server keeps the exporter to a few hundred lines with no dependency.
 */
final class PrometheusText {
  /** The Content-Type of this format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(8192);

  /** Starts a family: {@code type} is counter, gauge or untyped. */
  PrometheusText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ');
    for (char c : help.toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample with an integer value; {@code labels} alternate names and values. */
  PrometheusText sample(String name, long value, String... labels) {
    labels(name, labels);
    out.append(value).append('\n');
    return this;
  }

  /** One sample with a fractional value (three decimals: ages in seconds). */
  PrometheusText sample(String name, double value, String... labels) {
    labels(name, labels);
    out.append(String.format(Locale.ROOT, "%.3f", value)).append('\n');
    return this;
  }

  private void labels(String name, String... labels) {
    out.append(name);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labels[i]).append("=\"");
        for (char c : labels[i + 1].toCharArray()) {
          switch (c) {
            case '\\' -> out.append("\\\\");
            case '"' -> out.append("\\\"");
            case '\n' -> out.append("\\n");
            default -> out.append(c);
          }
        }
        out.append('"');
      }
      out.append('}');
    }
    out.append(' ');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
