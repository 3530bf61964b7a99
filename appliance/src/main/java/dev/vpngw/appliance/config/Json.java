package dev.vpngw.appliance.config;

import java.util.List;
import java.util.Map;

/**
 * Writes a document tree (maps, lists, strings, numbers, booleans, null) as JSON (RFC 8259), for
 * the management API and the persisted configuration. Reading needs no code of its own: JSON is
 * YAML, so {@link ConfigLoader#read} reads it.
 */
public final class Json {
  private Json() {}

  /** The tree as JSON, indented two spaces a level. */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, 0);
    return b.append('\n').toString();
  }

  private static void write(StringBuilder b, Object v, int depth) {
    switch (v) {
      case null -> b.append("null");
      case Map<?, ?> m -> {
        if (m.isEmpty()) {
          b.append("{}");
          return;
        }
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          b.append(first ? "\n" : ",\n");
          first = false;
          indent(b, depth + 1);
          string(b, String.valueOf(e.getKey()));
          b.append(": ");
          write(b, e.getValue(), depth + 1);
        }
        b.append('\n');
        indent(b, depth);
        b.append('}');
      }
      case List<?> l -> {
        if (l.isEmpty()) {
          b.append("[]");
          return;
        }
        b.append('[');
        boolean first = true;
        for (Object o : l) {
          b.append(first ? "\n" : ",\n");
          first = false;
          indent(b, depth + 1);
          write(b, o, depth + 1);
        }
        b.append('\n');
        indent(b, depth);
        b.append(']');
      }
      case Boolean x -> b.append(x);
      case Integer x -> b.append(x);
      case Long x -> b.append(x);
      case java.math.BigInteger x -> b.append(x);
      case Number x -> {
        double d = x.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          b.append("null");
        } else {
          b.append(x);
        }
      }
      default -> string(b, v.toString());
    }
  }

  private static void indent(StringBuilder b, int depth) {
    b.append("  ".repeat(depth));
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
