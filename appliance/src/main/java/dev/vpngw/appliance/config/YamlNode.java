package dev.vpngw.appliance.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A typed view of one YAML mapping as SnakeYAML Engine loads it (maps, lists, strings, numbers),
 * which knows its own path so every error names the field. Unknown keys are refused: a typo in a
 * gateway's config must not be silently ignored.
 */
final class YamlNode {
  private final String path;
  private final Map<?, ?> map;

  private YamlNode(String path, Map<?, ?> map) {
    this.path = path;
    this.map = map;
  }

  static YamlNode root(Object document) throws ConfigException {
    if (!(document instanceof Map<?, ?> m)) {
      throw new ConfigException("(document)", "must be a mapping with gateway, connections, ...");
    }
    return new YamlNode("", m);
  }

  /** A mapping with no keys at {@code path}: a block left out, read with its defaults. */
  static YamlNode empty(String path) {
    return new YamlNode(path, Map.of());
  }

  /** This node's own path. */
  String path() {
    return path;
  }

  /** One of an enum's constants, spelt exactly as the constant (as the cloud APIs spell them). */
  <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue)
      throws ConfigException {
    if (!has(key)) {
      return defaultValue;
    }
    String s = string(key);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    throw new ConfigException(field(key), "'" + s + "' is not one of " + names);
  }

  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Refuses keys that are not in {@code allowed}. */
  void onlyKeys(Set<String> allowed) throws ConfigException {
    for (Object key : map.keySet()) {
      if (!allowed.contains(String.valueOf(key))) {
        throw new ConfigException(
            field(String.valueOf(key)), "unknown field (expected one of " + allowed + ")");
      }
    }
  }

  boolean has(String key) {
    return map.containsKey(key);
  }

  YamlNode node(String key) throws ConfigException {
    Object v = required(key);
    if (!(v instanceof Map<?, ?> m)) {
      throw new ConfigException(field(key), "must be a mapping");
    }
    return new YamlNode(field(key), m);
  }

  List<YamlNode> nodes(String key) throws ConfigException {
    List<YamlNode> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    if (!(map.get(key) instanceof List<?> list)) {
      throw new ConfigException(field(key), "must be a list");
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new ConfigException(field(key) + "[" + i + "]", "must be a mapping");
      }
      out.add(new YamlNode(field(key) + "[" + i + "]", m));
    }
    return out;
  }

  String string(String key) throws ConfigException {
    Object v = required(key);
    if (v instanceof Map || v instanceof List) {
      throw new ConfigException(field(key), "must be a single value");
    }
    String s = String.valueOf(v).trim();
    if (s.isEmpty()) {
      throw new ConfigException(field(key), "must not be empty");
    }
    return s;
  }

  String string(String key, String defaultValue) throws ConfigException {
    return has(key) ? string(key) : defaultValue;
  }

  List<String> strings(String key) throws ConfigException {
    List<String> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    if (!(map.get(key) instanceof List<?> list)) {
      throw new ConfigException(field(key), "must be a list");
    }
    for (Object o : list) {
      out.add(String.valueOf(o).trim());
    }
    return out;
  }

  long number(String key, long min, long max) throws ConfigException {
    Object v = required(key);
    long n;
    if (v instanceof Number num) {
      n = num.longValue();
    } else {
      String s = String.valueOf(v).trim();
      try {
        n =
            s.startsWith("0x") || s.startsWith("0X")
                ? Long.parseUnsignedLong(s.substring(2), 16)
                : Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new ConfigException(field(key), "not a number: " + s);
      }
    }
    if (n < min || n > max) {
      throw new ConfigException(field(key), n + " outside " + min + ".." + max);
    }
    return n;
  }

  long number(String key, long min, long max, long defaultValue) throws ConfigException {
    return has(key) ? number(key, min, max) : defaultValue;
  }

  boolean bool(String key, boolean defaultValue) throws ConfigException {
    if (!has(key)) {
      return defaultValue;
    }
    Object v = map.get(key);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new ConfigException(field(key), "must be true or false, not " + v);
  }

  private Object required(String key) throws ConfigException {
    Object v = map.get(key);
    if (v == null) {
      throw new ConfigException(field(key), "is required");
    }
    return v;
  }
}
