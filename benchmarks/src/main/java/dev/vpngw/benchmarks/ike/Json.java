package dev.vpngw.benchmarks.ike;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object built in insertion order and printed on one line: the load generator's result is a
 * handful of numbers and strings, too little to bring a JSON library into the benchmarks jar.
 * Non-finite numbers become {@code null}, as JSON has no NaN.
 */
final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** Adds (or replaces) a field: a String, Number, Boolean, Json, List of those, or null. */
  Json put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    write(sb, this);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    switch (v) {
      case null -> sb.append("null");
      case Json j -> {
        sb.append('{');
        String sep = "";
        for (Map.Entry<String, Object> e : j.fields.entrySet()) {
          sb.append(sep);
          string(sb, e.getKey());
          sb.append(':');
          write(sb, e.getValue());
          sep = ",";
        }
        sb.append('}');
      }
      case List<?> list -> {
        sb.append('[');
        String sep = "";
        for (Object o : new ArrayList<>(list)) {
          sb.append(sep);
          write(sb, o);
          sep = ",";
        }
        sb.append(']');
      }
      case Double d -> number(sb, d);
      case Float f -> number(sb, f);
      case Number n -> sb.append(n);
      case Boolean b -> sb.append(b);
      default -> string(sb, v.toString());
    }
  }

  private static void number(StringBuilder sb, double d) {
    if (Double.isFinite(d)) {
      // Six significant digits are more than any of our measurements can claim.
      sb.append(new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString());
    } else {
      sb.append("null");
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
