package dev.vpngw.appliance.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configuration as written (the YAML file, or what the management API was given): the tree of
 * maps and lists {@link ConfigLoader} validates, kept so the running configuration can be changed
 * one resource at a time, shown back, compared and persisted as it was given. Immutable: every
 * change returns a new document. Secrets (shared keys, manual keys) stay in it, since the gateway
 * needs them to start again, but {@link #redact} removes them from anything shown.
 */
public final class ConfigDocument {
  /** The local network gateways' section. */
  public static final String SITES = "localNetworkGateways";

  /** The connections' section. */
  public static final String CONNECTIONS = "connections";

  /** Fields that are written, never read back: they leave only in the persisted file. */
  static final Set<String> SECRETS = Set.of("sharedKey", "key", "integrityKey");

  private final Map<String, Object> root;

  private ConfigDocument(Map<String, Object> root) {
    this.root = root;
  }

  /** A document from a tree as {@link ConfigLoader#read} returns it (copied). */
  public static ConfigDocument of(Object tree) throws ConfigException {
    if (!(tree instanceof Map<?, ?> m)) {
      throw new ConfigException("(document)", "must be a mapping with gateway, connections, ...");
    }
    return new ConfigDocument(copyMap(m));
  }

  /** Validates the document into the model the runtime carries. */
  public GatewayConfig validate() throws ConfigException {
    return ConfigLoader.parse(root);
  }

  /** Validates the document, resolving the sites' FQDNs with {@code resolver}. */
  public GatewayConfig validate(ConfigLoader.Resolver resolver) throws ConfigException {
    return ConfigLoader.parse(root, resolver);
  }

  /** The gateway's mapping (a copy). */
  public Map<String, Object> gateway() {
    Object g = root.get("gateway");
    return g instanceof Map<?, ?> m ? copyMap(m) : new LinkedHashMap<>();
  }

  /** The resources of a section (copies), in order. */
  public List<Map<String, Object>> resources(String section) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (root.get(section) instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add(copyMap(m));
        }
      }
    }
    return out;
  }

  /** The resource of a section with this name (a copy), or null. */
  public Map<String, Object> find(String section, String name) {
    for (Map<String, Object> r : resources(section)) {
      if (name.equals(String.valueOf(r.get("name")))) {
        return r;
      }
    }
    return null;
  }

  /** This document with the gateway's mapping replaced; omitted secrets are kept. */
  public ConfigDocument withGateway(Map<String, ?> gateway) {
    Map<String, Object> next = copyMap(root);
    Map<String, Object> g = copyMap(gateway);
    carrySecrets(gateway(), g);
    next.put("gateway", g);
    return new ConfigDocument(next);
  }

  /**
   * This document with the named resource created (appended) or replaced (in place). A replaced
   * resource keeps the secrets the new one leaves out, so a shown resource can be changed and put
   * back without knowing its shared key.
   */
  public ConfigDocument put(String section, String name, Map<String, ?> resource) {
    Map<String, Object> r = copyMap(resource);
    r.put("name", name);
    List<Object> list = new ArrayList<>();
    boolean replaced = false;
    for (Map<String, Object> old : resources(section)) {
      if (name.equals(String.valueOf(old.get("name")))) {
        carrySecrets(old, r);
        list.add(r);
        replaced = true;
      } else {
        list.add(old);
      }
    }
    if (!replaced) {
      list.add(r);
    }
    Map<String, Object> next = copyMap(root);
    next.put(section, list);
    return new ConfigDocument(next);
  }

  /** This document without the named resource. */
  public ConfigDocument remove(String section, String name) {
    List<Object> list = new ArrayList<>();
    for (Map<String, Object> old : resources(section)) {
      if (!name.equals(String.valueOf(old.get("name")))) {
        list.add(old);
      }
    }
    Map<String, Object> next = copyMap(root);
    next.put(section, list);
    return new ConfigDocument(next);
  }

  /** The whole document as JSON, secrets included (for the persisted file only). */
  public String toJson() {
    return Json.write(root);
  }

  /** A copy of a resource without its secrets, to show. */
  public static Map<String, Object> redact(Map<String, ?> resource) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : resource.entrySet()) {
      if (SECRETS.contains(e.getKey())) {
        continue;
      }
      out.put(e.getKey(), redactValue(e.getValue()));
    }
    return out;
  }

  private static Object redactValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return redact(copyMap(m));
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(redactValue(o));
      }
      return out;
    }
    return v;
  }

  /** Copies into {@code to} each secret of {@code from} it lacks where both have a mapping. */
  private static void carrySecrets(Map<String, Object> from, Map<String, Object> to) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      if (SECRETS.contains(e.getKey())) {
        to.putIfAbsent(e.getKey(), e.getValue());
      } else if (e.getValue() instanceof Map<?, ?> fm && to.get(e.getKey()) instanceof Map<?, ?>) {
        @SuppressWarnings("unchecked")
        Map<String, Object> target = (Map<String, Object>) to.get(e.getKey());
        carrySecrets(copyMap(fm), target);
      }
    }
  }

  /** A deep, mutable copy with string keys. */
  static Map<String, Object> copyMap(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), copy(e.getValue()));
    }
    return out;
  }

  private static Object copy(Object v) {
    if (v instanceof Map<?, ?> m) {
      return copyMap(m);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(copy(o));
      }
      return out;
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigDocument d && d.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  /** Never prints secrets. */
  @Override
  public String toString() {
    return "ConfigDocument" + redact(root);
  }
}
