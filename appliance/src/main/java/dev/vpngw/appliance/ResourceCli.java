package dev.vpngw.appliance;

import dev.vpngw.appliance.config.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the resource verbs of the CLI have in common: fetch, create, update and delete through the
 * management API, and print a resource as {@code field: value} lines, a list as a table, or either
 * as JSON. Exit status: 0 done, 1 refused by the gateway (its field and reason printed), 3 the
 * gateway could not be reached.
 */
final class ResourceCli {
  static final int REFUSED = 1;
  static final int UNREACHABLE = 3;

  private ResourceCli() {}

  /** What a verb does with the client; returns the exit status. */
  interface Action {
    int run(ApiClient client) throws IOException;
  }

  static int call(ApiOptions o, Action action) {
    try {
      return action.run(o.client());
    } catch (IOException e) {
      System.err.println("vpngw: " + e.getMessage());
      return UNREACHABLE;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("vpngw: " + e.getCause().getMessage());
      return REFUSED;
    }
  }

  static int show(ApiOptions o, String collection, String name) {
    return call(
        o,
        c -> {
          ApiClient.Response r = c.get(ApiClient.path(collection, name));
          if (!r.ok()) {
            return refused(r);
          }
          print(o, r.body());
          return 0;
        });
  }

  static int list(
      ApiOptions o,
      String collection,
      List<String> headers,
      Function<Map<?, ?>, List<String>> row) {
    return call(
        o,
        c -> {
          ApiClient.Response r = c.get(collection);
          if (!r.ok()) {
            return refused(r);
          }
          if (o.json) {
            System.out.print(Json.write(r.body()));
            return 0;
          }
          List<List<String>> rows = new ArrayList<>();
          rows.add(headers);
          if (r.body() instanceof Map<?, ?> m && m.get("value") instanceof List<?> l) {
            for (Object x : l) {
              if (x instanceof Map<?, ?> res) {
                rows.add(row.apply(res));
              }
            }
          }
          table(System.out, rows);
          return 0;
        });
  }

  /**
   * Creates ({@code create}: refused if it exists) or updates ({@code !create}: refused if it does
   * not) a resource: {@code change} fills in the fields given on the command line, over the
   * resource as the gateway shows it when updating.
   */
  static int put(
      ApiOptions o,
      String collection,
      String name,
      boolean create,
      java.util.function.Consumer<Map<String, Object>> change) {
    return call(
        o,
        c -> {
          String path = ApiClient.path(collection, name);
          ApiClient.Response current = c.get(path);
          Map<String, Object> body = new LinkedHashMap<>();
          if (create && current.ok()) {
            System.err.println("vpngw: " + name + " exists: use update");
            return REFUSED;
          }
          if (!create) {
            if (!current.ok()) {
              return refused(current);
            }
            if (current.body() instanceof Map<?, ?> m) {
              m.forEach((k, v) -> body.put(String.valueOf(k), v));
            }
          }
          change.accept(body);
          ApiClient.Response r = c.put(path, body);
          if (!r.ok()) {
            return refused(r);
          }
          print(o, r.body());
          return 0;
        });
  }

  static int delete(ApiOptions o, String collection, String name) {
    return call(
        o,
        c -> {
          ApiClient.Response r = c.delete(ApiClient.path(collection, name));
          if (!r.ok()) {
            return refused(r);
          }
          System.out.println("deleted " + name);
          return 0;
        });
  }

  private static int refused(ApiClient.Response r) {
    if (r.body() instanceof Map<?, ?> m && m.containsKey("reason")) {
      System.err.println(
          "vpngw: refused (HTTP " + r.status() + "): " + m.get("field") + ": " + m.get("reason"));
    } else {
      System.err.println("vpngw: refused (HTTP " + r.status() + ")");
    }
    return REFUSED;
  }

  private static void print(ApiOptions o, Object body) {
    if (o.json) {
      System.out.print(Json.write(body));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    flatten("", body, rows);
    for (List<String> row : rows) {
      System.out.println(row.get(0) + ": " + row.get(1));
    }
  }

  private static void flatten(String prefix, Object v, List<List<String>> out) {
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        flatten(
            prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(),
            e.getValue(),
            out);
      }
    } else if (v instanceof List<?> l && l.stream().anyMatch(x -> x instanceof Map)) {
      for (int i = 0; i < l.size(); i++) {
        flatten(prefix + "[" + i + "]", l.get(i), out);
      }
    } else {
      out.add(List.of(prefix, text(v)));
    }
  }

  /** A value as a table cell: lists comma-separated, nothing as "-". */
  static String text(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object x : l) {
        parts.add(String.valueOf(x));
      }
      return String.join(",", parts);
    }
    return String.valueOf(v);
  }

  static void table(PrintStream out, List<List<String>> rows) {
    int columns = rows.get(0).size();
    int[] width = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        b.append(
            i == columns - 1 ? row.get(i) : String.format("%-" + (width[i] + 2) + "s", row.get(i)));
      }
      out.println(b.toString().stripTrailing());
    }
  }

  /** A comma- or space-separated list given once or repeated, as one list. */
  static List<String> items(List<String> given) {
    List<String> out = new ArrayList<>();
    for (String g : given) {
      for (String part : g.split("[,\\s]+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    }
    return out;
  }
}
