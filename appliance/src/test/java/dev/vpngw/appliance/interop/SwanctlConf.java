package dev.vpngw.appliance.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the text of a swanctl.conf for the interop tests: connections (IKEv2 by default) with
 * their children and the IKE pre-shared keys. Only what the tests vary is exposed; everything else
 * keeps strongSwan's default, except three choices that make a test deterministic and which the
 * caller can override: MOBIKE is off (a gateway does not roam), fragmentation is on (certificate
 * exchanges may exceed the path MTU), and rekeying is off until lifetimes are set, so that one SA
 * (and so one set of logged keys) lives for the whole test; when lifetimes are set, their random
 * jitter ({@code rand_time}) is 0 so a rekey comes when the test said it would. These defaults are
 * written first and the caller's settings after them: in strongSwan's settings syntax a later value
 * of the same key replaces an earlier one.
 *
 * <pre>{@code
 * String conf = new SwanctlConf()
 *     .connection(new SwanctlConf.Connection("s2s")
 *         .localAddrs("192.0.2.1").remoteAddrs("192.0.2.2")
 *         .proposals("aes256-sha256-modp2048")
 *         .localPsk("gw-a").remotePsk("gw-b")
 *         .child(new SwanctlConf.Child("net")
 *             .localTs("10.1.0.0/24").remoteTs("10.2.0.0/24").espProposals("aes128gcm16")))
 *     .ikeSecret("a-test-only-secret", "gw-a", "gw-b")
 *     .render();
 * }</pre>
 *
 * Certificate files are named relative to the swanctl directory's {@code x509/} (own certificate)
 * and {@code x509ca/} (trust anchors) folders, where {@link TestPki} writes them.
 */
public final class SwanctlConf {
  private final List<Connection> connections = new ArrayList<>();
  private final List<String[]> secrets = new ArrayList<>();

  /** Adds a connection. */
  public SwanctlConf connection(Connection connection) {
    connections.add(Objects.requireNonNull(connection));
    return this;
  }

  /** Adds an IKE pre-shared key that holds between the given identities. */
  public SwanctlConf ikeSecret(String secret, String... ids) {
    String[] entry = new String[ids.length + 1];
    entry[0] = secret;
    System.arraycopy(ids, 0, entry, 1, ids.length);
    secrets.add(entry);
    return this;
  }

  /** The swanctl.conf text. */
  public String render() {
    StringBuilder out = new StringBuilder("connections {\n");
    for (Connection c : connections) {
      c.render(out);
    }
    out.append("}\n\nsecrets {\n");
    for (int i = 0; i < secrets.size(); i++) {
      String[] s = secrets.get(i);
      out.append("  ike-").append(i + 1).append(" {\n");
      for (int id = 1; id < s.length; id++) {
        out.append("    id-").append(id).append(" = ").append(quote(s[id])).append('\n');
      }
      out.append("    secret = ").append(quote(s[0])).append("\n  }\n");
    }
    return out.append("}\n").toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /**
   * Quotes a value that may hold spaces, commas or '=' (distinguished names, secrets): strongSwan's
   * settings parser takes a double-quoted string with backslash escapes.
   */
  static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + "s";
  }

  /** One IKE connection ({@code connections.<name>}) with its children. */
  public static final class Connection {
    private final String name;
    private final List<String> lines = new ArrayList<>();
    private final List<String> local = new ArrayList<>();
    private final List<String> remote = new ArrayList<>();
    private final List<Child> children = new ArrayList<>();

    /** A connection named {@code name}, IKEv2, without MOBIKE and without rekeying. */
    public Connection(String name) {
      this.name = name;
      lines.addAll(
          List.of(
              "version = 2",
              "mobike = no",
              "fragmentation = yes",
              "rekey_time = 0",
              "reauth_time = 0",
              "over_time = 0"));
    }

    /** {@code local_addrs}: where this charon sends from and listens for this connection. */
    public Connection localAddrs(String addresses) {
      return set("local_addrs", addresses);
    }

    /** {@code remote_addrs}: the peer's address(es), {@code %any} to accept it from anywhere. */
    public Connection remoteAddrs(String addresses) {
      return set("remote_addrs", addresses);
    }

    /**
     * IKE proposals, strongSwan syntax: {@code
     * aes256-sha256-modp2048,aes128gcm16-prfsha256-x25519}.
     */
    public Connection proposals(String proposals) {
      return set("proposals", proposals);
    }

    /** Authenticate ourselves with a pre-shared key under identity {@code id}. */
    public Connection localPsk(String id) {
      local.add("auth = psk");
      local.add("id = " + quote(id));
      return this;
    }

    /** Expect the peer to authenticate with a pre-shared key under identity {@code id}. */
    public Connection remotePsk(String id) {
      remote.add("auth = psk");
      remote.add("id = " + quote(id));
      return this;
    }

    /**
     * Authenticate ourselves with the key of certificate {@code certFile} (in {@code x509/}, its
     * key in {@code private/}) under identity {@code id}: the subject DN or one of its SANs.
     */
    public Connection localCert(String certFile, String id) {
      local.add("auth = pubkey");
      local.add("certs = " + certFile);
      local.add("id = " + quote(id));
      return this;
    }

    /**
     * Expect the peer to authenticate with a certificate for identity {@code id} that chains to
     * {@code caFile} (in {@code x509ca/}); a null {@code caFile} accepts any loaded trust anchor.
     */
    public Connection remoteCert(String id, String caFile) {
      remote.add("auth = pubkey");
      remote.add("id = " + quote(id));
      if (caFile != null) {
        remote.add("cacerts = " + caFile);
      }
      return this;
    }

    /**
     * IKE_SA lifetimes: rekey after {@code rekey}, and close it {@code life} after it came up if
     * the rekey did not happen ({@code over_time = life - rekey}).
     */
    public Connection ikeLifetimes(Duration rekey, Duration life) {
      if (life.compareTo(rekey) < 0) {
        throw new IllegalArgumentException("IKE life " + life + " shorter than rekey " + rekey);
      }
      set("rekey_time", seconds(rekey));
      set("over_time", seconds(life.minus(rekey)));
      return set("rand_time", "0s");
    }

    /** IKEv2 reauthentication interval (a new IKE_SA from scratch; off by default). */
    public Connection reauthTime(Duration reauth) {
      return set("reauth_time", seconds(reauth));
    }

    /** Dead peer detection: an empty INFORMATIONAL after {@code delay} without traffic. */
    public Connection dpdDelay(Duration delay) {
      return set("dpd_delay", seconds(delay));
    }

    /**
     * {@code encap}: force UDP encapsulation even without a NAT. kernel-libipsec forces it anyway
     * (it fakes NAT detection), so this matters for the peer's view of our NAT detection payloads.
     */
    public Connection encap(boolean force) {
      return set("encap", force ? "yes" : "no");
    }

    /** MOBIKE (RFC 4555); off unless a test turns it on. */
    public Connection mobike(boolean on) {
      return set("mobike", on ? "yes" : "no");
    }

    /** IKE fragmentation (RFC 7383): {@code yes}, {@code no}, {@code accept} or {@code force}. */
    public Connection fragmentation(String mode) {
      return set("fragmentation", mode);
    }

    /** Any other connection-level setting, written as given. */
    public Connection set(String key, String value) {
      lines.add(key + " = " + value);
      return this;
    }

    /** Adds a child (a CHILD_SA configuration). */
    public Connection child(Child child) {
      children.add(Objects.requireNonNull(child));
      return this;
    }

    void render(StringBuilder out) {
      out.append("  ").append(name).append(" {\n");
      lines.forEach(l -> out.append("    ").append(l).append('\n'));
      section(out, "local", local);
      section(out, "remote", remote);
      out.append("    children {\n");
      children.forEach(c -> c.render(out));
      out.append("    }\n  }\n");
    }

    private static void section(StringBuilder out, String name, List<String> lines) {
      out.append("    ").append(name).append(" {\n");
      lines.forEach(l -> out.append("      ").append(l).append('\n'));
      out.append("    }\n");
    }
  }

  /** One child ({@code children.<name>}): traffic selectors, ESP proposals, lifetimes, actions. */
  public static final class Child {
    private final String name;
    private final List<String> lines = new ArrayList<>();

    /** A tunnel-mode child named {@code name}, without rekeying. */
    public Child(String name) {
      this.name = name;
      lines.addAll(List.of("mode = tunnel", "rekey_time = 0", "life_time = 0", "rand_time = 0"));
    }

    /** Local traffic selectors, comma-separated ({@code 10.1.0.0/24,fd00:1::/64}). */
    public Child localTs(String selectors) {
      return set("local_ts", selectors);
    }

    /** Remote traffic selectors, comma-separated. */
    public Child remoteTs(String selectors) {
      return set("remote_ts", selectors);
    }

    /** ESP proposals, strongSwan syntax; a DH group in them means PFS on rekeys. */
    public Child espProposals(String proposals) {
      return set("esp_proposals", proposals);
    }

    /** {@code none}, {@code trap} (on traffic) or {@code start} (when loaded). */
    public Child startAction(String action) {
      return set("start_action", action);
    }

    /** What to do when DPD finds the peer dead: {@code clear}, {@code trap} or {@code start}. */
    public Child dpdAction(String action) {
      return set("dpd_action", action);
    }

    /**
     * What to do when the peer closes the CHILD_SA: {@code none}, {@code trap} or {@code start}.
     */
    public Child closeAction(String action) {
      return set("close_action", action);
    }

    /** CHILD_SA lifetimes in time: rekey after {@code rekey}, expire after {@code life}. */
    public Child lifetimes(Duration rekey, Duration life) {
      set("rekey_time", seconds(rekey));
      set("life_time", seconds(life));
      return set("rand_time", "0s");
    }

    /** CHILD_SA lifetimes in bytes: rekey after {@code rekey} bytes, expire after {@code life}. */
    public Child byteLifetimes(long rekey, long life) {
      set("rekey_bytes", Long.toString(rekey));
      set("life_bytes", Long.toString(life));
      return set("rand_bytes", "0");
    }

    /** Any other child-level setting, written as given. */
    public Child set(String key, String value) {
      lines.add(key + " = " + value);
      return this;
    }

    void render(StringBuilder out) {
      out.append("      ").append(name).append(" {\n");
      lines.forEach(l -> out.append("        ").append(l).append('\n'));
      out.append("      }\n");
    }
  }
}
