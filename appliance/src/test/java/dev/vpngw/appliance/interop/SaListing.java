package dev.vpngw.appliance.interop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code swanctl --list-sas --pretty} into {@link IkeSaInfo} records. The pretty form is
 * used rather than {@code --raw} because it puts every key on a line of its own: raw prints values
 * unquoted and space-separated, so an identity such as {@code C=CH, O=Test, CN=gw-b} could not be
 * told apart from the next key. The grammar (vici's message dump) is: {@code name {} opens a
 * section, {@code key = value} is a pair, {@code key = [} opens a list of one item per line closed
 * by {@code ]}, and <code>}</code> closes a section; each {@code list-sa event} section holds one
 * IKE_SA section named after its connection.
 */
public final class SaListing {
  private SaListing() {}

  /** A parsed vici section: its pairs, lists and subsections, in the order they came. */
  private static final class Section {
    final Map<String, String> values = new LinkedHashMap<>();
    final Map<String, List<String>> lists = new LinkedHashMap<>();
    final List<Map.Entry<String, Section>> sections = new ArrayList<>();

    String get(String key) {
      return values.getOrDefault(key, "");
    }

    boolean yes(String key) {
      return "yes".equals(values.get(key));
    }

    int integer(String key) {
      String v = values.get(key);
      return v == null || v.isEmpty() ? 0 : Integer.parseInt(v);
    }

    long number(String key) {
      String v = values.get(key);
      return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    List<String> list(String key) {
      return lists.getOrDefault(key, List.of());
    }

    Section section(String name) {
      return sections.stream()
          .filter(e -> e.getKey().equals(name))
          .map(Map.Entry::getValue)
          .findFirst()
          .orElseGet(Section::new);
    }
  }

  /** All IKE_SAs in {@code pretty}, in the order swanctl listed them. */
  public static List<IkeSaInfo> parse(String pretty) {
    Section root = tree(pretty);
    List<IkeSaInfo> sas = new ArrayList<>();
    for (Map.Entry<String, Section> event : root.sections) {
      if (event.getKey().equals("list-sa event")) {
        for (Map.Entry<String, Section> ike : event.getValue().sections) {
          sas.add(ike(ike.getKey(), ike.getValue()));
        }
      }
    }
    return List.copyOf(sas);
  }

  private static Section tree(String text) {
    Deque<Section> open = new ArrayDeque<>();
    open.push(new Section());
    List<String> list = null;
    int lineNumber = 0;
    for (String raw : text.split("\n")) {
      lineNumber++;
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (list != null) {
        if (line.equals("]")) {
          list = null;
        } else {
          list.add(line);
        }
      } else if (line.endsWith(" = [")) {
        list = new ArrayList<>();
        open.peek().lists.put(line.substring(0, line.length() - 4), list);
      } else if (line.contains(" = ")) {
        int eq = line.indexOf(" = ");
        open.peek().values.put(line.substring(0, eq), line.substring(eq + 3));
      } else if (line.endsWith(" {")) {
        Section s = new Section();
        open.peek().sections.add(Map.entry(line.substring(0, line.length() - 2), s));
        open.push(s);
      } else if (line.equals("}") && open.size() > 1) {
        open.pop();
      } else {
        throw new IllegalArgumentException(
            "line " + lineNumber + " of swanctl output not understood: " + raw + "\n" + text);
      }
    }
    if (open.size() != 1 || list != null) {
      throw new IllegalArgumentException("swanctl output ends inside a section:\n" + text);
    }
    return open.pop();
  }

  private static IkeSaInfo ike(String name, Section s) {
    boolean initiator = s.yes("initiator");
    List<ChildSaInfo> children = new ArrayList<>();
    for (Map.Entry<String, Section> child : s.section("child-sas").sections) {
      children.add(child(child.getValue()));
    }
    return new IkeSaInfo(
        name,
        s.integer("uniqueid"),
        s.integer("version"),
        s.get("state"),
        s.get("local-host"),
        s.integer("local-port"),
        s.get("local-id"),
        s.get("remote-host"),
        s.integer("remote-port"),
        s.get("remote-id"),
        initiator,
        s.get(initiator ? "initiator-spi" : "responder-spi"),
        s.get(initiator ? "responder-spi" : "initiator-spi"),
        algorithm(s.get("encr-alg"), s.get("encr-keysize")),
        s.get("integ-alg"),
        s.get("prf-alg"),
        s.get("dh-group"),
        s.yes("nat-local"),
        s.yes("nat-remote"),
        s.yes("nat-any"),
        children);
  }

  private static ChildSaInfo child(Section c) {
    return new ChildSaInfo(
        c.get("name"),
        c.integer("uniqueid"),
        c.get("state"),
        c.get("mode"),
        c.yes("encap"),
        c.get("spi-in"),
        c.get("spi-out"),
        algorithm(c.get("encr-alg"), c.get("encr-keysize")),
        c.get("integ-alg"),
        c.get("dh-group"),
        c.number("bytes-in"),
        c.number("bytes-out"),
        c.number("packets-in"),
        c.number("packets-out"),
        c.list("local-ts"),
        c.list("remote-ts"));
  }

  /** swanctl's own rendering: the name, then the key size when the algorithm has a variable one. */
  private static String algorithm(String name, String keySize) {
    return keySize.isEmpty() ? name : name + "-" + keySize;
  }
}
