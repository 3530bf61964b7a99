package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigDiff;
import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.GatewayConfig.Connection;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a new configuration to a running gateway, atomically: the new document is validated
 * whole, compared with the running one ({@link ConfigDiff}), persisted, and only the difference is
 * applied: added connections started, removed ones stopped (their peers told), changed ones
 * restarted, the others not touched at all. A refusal (invalid, or a field that only a restart can
 * change) changes nothing; a failure while applying undoes the steps already taken, in reverse, and
 * restores the persisted file, so the running configuration stays the one in force. One change at a
 * time: callers are serialised on this object.
 */
final class Reconfigurer {
  /** What the reconfigurer asks of the running gateway, one connection at a time. */
  interface Host {
    /** Starts a connection (routes, tunnel or IKE connection). */
    void start(Connection c, GatewayConfig.Gateway gateway) throws IOException;

    /**
     * Stops a connection (its IKE SAs deleted at the peer, its tunnels and routes removed), which
     * ran under {@code gateway}.
     */
    void stop(Connection c, GatewayConfig.Gateway gateway) throws IOException;

    /** Why the running gateway cannot take this connection without a restart, or null if it can. */
    String refuses(Connection c);

    /**
     * Limits all tunnels together to {@code bitsPerSecond} per direction (the SKU's aggregate
     * bandwidth), shared fairly among them; 0 lifts the limit.
     */
    void bandwidthLimit(long bitsPerSecond);

    /**
     * Replaces a connection by its new version without a moment in which its prefixes have no
     * route; if the new version is refused, the old one runs again.
     */
    void restart(
        Connection old,
        GatewayConfig.Gateway oldGateway,
        Connection now,
        GatewayConfig.Gateway gateway)
        throws IOException;
  }

  /** A change that needs the gateway restarted: the running gateway cannot take it live. */
  static final class RestartNeeded extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    RestartNeeded(String field) {
      this(field, "changes only with a restart of the gateway");
    }

    RestartNeeded(String field, String reason) {
      super(field + ": " + reason);
      this.field = field;
      this.reason = reason;
    }

    String field() {
      return field;
    }

    String reason() {
      return reason;
    }
  }

  /** A valid change the running gateway failed to apply; everything was put back. */
  static final class ApplyFailed extends Exception {
    private static final long serialVersionUID = 1L;

    ApplyFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  private final Host host;
  private final ConfigStore store;
  private final ConfigLoader.Resolver resolver;
  private ConfigDocument document;
  private GatewayConfig config;

  Reconfigurer(Host host, ConfigStore store, ConfigDocument document, GatewayConfig config) {
    this(host, store, document, config, ConfigLoader.Resolver.SYSTEM);
  }

  /** As above, with the sites' FQDNs resolved by {@code resolver} (tests). */
  Reconfigurer(
      Host host,
      ConfigStore store,
      ConfigDocument document,
      GatewayConfig config,
      ConfigLoader.Resolver resolver) {
    this.host = host;
    this.store = store;
    this.resolver = resolver;
    this.document = document;
    this.config = config;
  }

  /** The running configuration as given. */
  synchronized ConfigDocument document() {
    return document;
  }

  /** The running configuration, validated. */
  synchronized GatewayConfig config() {
    return config;
  }

  /**
   * Makes {@code next} the running configuration.
   *
   * @return what changed
   * @throws ConfigException if it is not valid (nothing changed)
   * @throws RestartNeeded if it changes a field only a restart can (nothing changed)
   * @throws ApplyFailed if applying it failed (everything put back)
   */
  synchronized ConfigDiff apply(ConfigDocument next)
      throws ConfigException, RestartNeeded, ApplyFailed {
    GatewayConfig nextConfig = next.validate(sticky(resolver, config));
    checkLive(config.gateway(), nextConfig.gateway());
    ConfigDiff diff = ConfigDiff.of(document, config, next, nextConfig);
    // The same document can still restart a connection: a certificate file rewritten in place.
    if (next.equals(document) && diff.touchesNoConnection()) {
      return diff;
    }
    for (int i = 0; i < nextConfig.connections().size(); i++) {
      Connection c = nextConfig.connections().get(i);
      String why =
          diff.added().contains(c.name()) || diff.changed().contains(c.name())
              ? host.refuses(c)
              : null;
      if (why != null) {
        throw new RestartNeeded("connections[" + i + "].encapsulation", why);
      }
    }
    try {
      store.save(next);
    } catch (IOException e) {
      throw new ApplyFailed("cannot persist the configuration: " + e.getMessage(), e);
    }
    Deque<Step> undo = new ArrayDeque<>();
    GatewayConfig before = config;
    try {
      for (String name : diff.added()) {
        Connection c = connection(nextConfig, name);
        host.start(c, nextConfig.gateway());
        undo.push(() -> host.stop(c, nextConfig.gateway()));
      }
      for (String name : diff.removed()) {
        Connection c = connection(before, name);
        host.stop(c, before.gateway());
        undo.push(() -> host.start(c, before.gateway()));
      }
      for (String name : diff.changed()) {
        Connection old = connection(before, name);
        Connection now = connection(nextConfig, name);
        host.restart(old, before.gateway(), now, nextConfig.gateway());
        undo.push(() -> host.restart(now, nextConfig.gateway(), old, before.gateway()));
      }
      long limit = bandwidthLimit(nextConfig.gateway());
      if (limit != bandwidthLimit(before.gateway())) {
        host.bandwidthLimit(limit);
        undo.push(() -> host.bandwidthLimit(bandwidthLimit(before.gateway())));
      }
    } catch (IOException | RuntimeException e) {
      while (!undo.isEmpty()) {
        try {
          undo.pop().run();
        } catch (IOException | RuntimeException u) {
          e.addSuppressed(u);
        }
      }
      try {
        store.save(document);
      } catch (IOException s) {
        e.addSuppressed(s);
      }
      throw new ApplyFailed("the gateway could not apply the change: " + e.getMessage(), e);
    }
    document = next;
    config = nextConfig;
    System.out.printf(
        "vpngw %s: configuration applied: added %s, removed %s, restarted %s, %d unchanged%n",
        nextConfig.gateway().name(),
        diff.added(),
        diff.removed(),
        diff.changed(),
        diff.unchanged().size());
    return diff;
  }

  /**
   * {@code resolver}, but keeping the address a site given by FQDN uses now while the name still
   * resolves to it: a name with several addresses (round-robin DNS) answers them in another order
   * from one query to the next, and a change elsewhere must not restart that site's connections
   * towards another of its addresses.
   */
  static ConfigLoader.Resolver sticky(ConfigLoader.Resolver resolver, GatewayConfig running) {
    return fqdn -> {
      java.util.List<java.net.InetAddress> all = resolver.resolve(fqdn);
      for (GatewayConfig.LocalNetworkGateway site : running.localNetworkGateways()) {
        if (fqdn.equals(site.fqdn()) && all.contains(site.gatewayAddress())) {
          return java.util.List.of(site.gatewayAddress());
        }
      }
      return all;
    };
  }

  /** The aggregate bandwidth limit of {@code gateway}'s SKU in bits per second, 0 without a SKU. */
  static long bandwidthLimit(GatewayConfig.Gateway gateway) {
    return gateway.sku() == null ? 0 : gateway.sku().bandwidthBitsPerSecond();
  }

  private static Connection connection(GatewayConfig config, String name) {
    for (Connection c : config.connections()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalStateException("no connection " + name);
  }

  /** Refuses a change of the fields the running process was built around. */
  private static void checkLive(GatewayConfig.Gateway now, GatewayConfig.Gateway next)
      throws RestartNeeded {
    Map<String, Object[]> fields = new LinkedHashMap<>();
    fields.put("name", new Object[] {now.name(), next.name()});
    fields.put("publicAddress", new Object[] {now.publicAddress(), next.publicAddress()});
    fields.put("tunnelInterface", new Object[] {now.tunnelInterface(), next.tunnelInterface()});
    fields.put("workers", new Object[] {now.workers(), next.workers()});
    fields.put("runDirectory", new Object[] {now.runDirectory(), next.runDirectory()});
    fields.put("keyLogDirectory", new Object[] {now.keyLogDirectory(), next.keyLogDirectory()});
    fields.put(
        "ikeCookieThreshold", new Object[] {now.ikeCookieThreshold(), next.ikeCookieThreshold()});
    fields.put("tunOffload", new Object[] {now.tunOffload(), next.tunOffload()});
    fields.put("wanOffload", new Object[] {now.wanOffload(), next.wanOffload()});
    fields.put("apiAddress", new Object[] {now.api().address(), next.api().address()});
    fields.put("apiPort", new Object[] {now.api().port(), next.api().port()});
    fields.put("apiTokenFile", new Object[] {now.api().tokenFile(), next.api().tokenFile()});
    for (Map.Entry<String, Object[]> f : fields.entrySet()) {
      if (!Objects.equals(f.getValue()[0], f.getValue()[1])) {
        throw new RestartNeeded("gateway." + f.getKey());
      }
    }
  }
}
