package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real strongSwan charon (5.9, Debian) running as an IKE peer inside one network namespace, for
 * interoperability tests; driven with swanctl over its vici socket. The kernel here has no ESP, so
 * charon does ESP in user space with the kernel-libipsec plugin: a TUN device {@code ipsec0},
 * routes to the remote traffic selectors in table 220, and always ESP-in-UDP on port 4500 (it fakes
 * NAT detection to get there). For the routes to work, the local traffic selector must contain an
 * address of the namespace (charon picks it as source), and forwarding must be on.
 *
 * <p>Everything of one instance lives in its state directory: {@code strongswan.conf} (an explicit
 * plugin list, nothing read from /etc/strongswan.d), {@code charon.vici}, {@code charon.log} (kept
 * after {@link #close()}), {@code charon.out} (its stdout and stderr), {@code run/} (bind-mounted
 * over /run in a private mount namespace, because charon hard-codes /run/charon.pid and would
 * otherwise refuse to start a second instance) and {@code swanctl/} (swanctl.conf and the
 * credential folders, see {@link TestPki}). The log has {@code chd = 4}, which prints the derived
 * ESP keys: {@link #espKeys()} reads them back, so a test can decrypt what charon sent.
 */
public final class StrongSwan implements AutoCloseable {
  /**
   * Plugins, loaded in this order and no others. kernel-libipsec must come before kernel-netlink:
   * the first kernel-ipsec backend registered wins, and the kernel's XFRM has no ESP here. Omitted
   * on purpose: revocation (no CRL/OCSP fetching), updown (no scripts), resolve (no DNS files),
   * stroke. openssl and gmp provide the MODP groups (2, 14, 15, 16, 24) and openssl the ECP ones
   * (19, 20, 21); curve25519 is group 31.
   */
  static final String PLUGINS =
      "random nonce openssl aes sha1 sha2 hmac gcm chapoly kdf curve25519 gmp"
          + " pem pkcs1 pkcs8 x509 pubkey constraints"
          + " kernel-libipsec kernel-netlink socket-default vici";

  /**
   * The folders swanctl --load-all reads in its directory; all are created so that it has no
   * missing folder to complain about.
   */
  private static final List<String> SWANCTL_FOLDERS =
      List.of(
          "x509",
          "x509ca",
          "x509aa",
          "x509ac",
          "x509crl",
          "x509ocsp",
          "pubkey",
          "private",
          "rsa",
          "ecdsa",
          "bliss",
          "pkcs8",
          "pkcs12");

  /**
   * How a charon instance is run.
   *
   * @param charonBinary the daemon ({@code /usr/lib/ipsec/charon}, package strongswan-charon)
   * @param ikeLogLevel log level of the {@code ike} group (2 normally; 4 prints IKE keying
   *     material)
   * @param retransmitTries IKE retransmissions before giving up (charon's default 5)
   * @param retransmitTimeout seconds before the first retransmission (charon's default 4.0)
   * @param retransmitBase growth factor of the retransmission timeout (charon's default 1.8)
   * @param tunMtu MTU of the ipsec0 TUN device (kernel-libipsec's default 1400)
   * @param startTimeout how long charon may take until its vici socket answers
   * @param commandTimeout how long a swanctl command (an initiate, a terminate) may take
   * @param stopTimeout how long charon may take to exit on SIGTERM before it is killed
   */
  public record Options(
      String charonBinary,
      int ikeLogLevel,
      int retransmitTries,
      double retransmitTimeout,
      double retransmitBase,
      int tunMtu,
      Duration startTimeout,
      Duration commandTimeout,
      Duration stopTimeout) {

    /**
     * The defaults: retransmissions after 1, 1.5, 2.25 s (about 5 s to give up on a silent peer,
     * instead of charon's 165 s), so failure tests end quickly.
     */
    public static Options defaults() {
      return new Options(
          "/usr/lib/ipsec/charon",
          2,
          3,
          1.0,
          1.5,
          1400,
          Duration.ofSeconds(20),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10));
    }

    /** The same options with another charon binary (e.g. /usr/sbin/charon-systemd). */
    public Options withCharonBinary(String binary) {
      return new Options(
          binary,
          ikeLogLevel,
          retransmitTries,
          retransmitTimeout,
          retransmitBase,
          tunMtu,
          startTimeout,
          commandTimeout,
          stopTimeout);
    }

    /** The same options with another {@code ike} log level. */
    public Options withIkeLogLevel(int level) {
      return new Options(
          charonBinary,
          level,
          retransmitTries,
          retransmitTimeout,
          retransmitBase,
          tunMtu,
          startTimeout,
          commandTimeout,
          stopTimeout);
    }

    /** The same options with other IKE retransmission settings. */
    public Options withRetransmit(int tries, double timeoutSeconds, double base) {
      return new Options(
          charonBinary,
          ikeLogLevel,
          tries,
          timeoutSeconds,
          base,
          tunMtu,
          startTimeout,
          commandTimeout,
          stopTimeout);
    }

    /** The same options with another TUN device MTU. */
    public Options withTunMtu(int mtu) {
      return new Options(
          charonBinary,
          ikeLogLevel,
          retransmitTries,
          retransmitTimeout,
          retransmitBase,
          mtu,
          startTimeout,
          commandTimeout,
          stopTimeout);
    }

    /** The same options with another swanctl command timeout. */
    public Options withCommandTimeout(Duration timeout) {
      return new Options(
          charonBinary,
          ikeLogLevel,
          retransmitTries,
          retransmitTimeout,
          retransmitBase,
          tunMtu,
          startTimeout,
          timeout,
          stopTimeout);
    }
  }

  private final String namespace;
  private final Path stateDir;
  private final Options options;
  private final Process charon;
  private boolean closed;

  private StrongSwan(String namespace, Path stateDir, Options options, Process charon) {
    this.namespace = namespace;
    this.stateDir = stateDir;
    this.options = options;
    this.charon = charon;
  }

  /** The swanctl directory of an instance with state in {@code stateDir}: put credentials here. */
  public static Path swanctlDir(Path stateDir) {
    return stateDir.resolve("swanctl");
  }

  /**
   * Starts charon in {@code namespace} with its state in {@code stateDir}, waits until its vici
   * socket answers and loads {@code swanctlConf} with the credentials already in {@link
   * #swanctlDir}. On any failure charon is stopped again and the exception carries its log.
   */
  public static StrongSwan start(
      String namespace, Path stateDir, String swanctlConf, Options options) throws IOException {
    Path run = stateDir.resolve("run");
    Files.createDirectories(run);
    for (String folder : SWANCTL_FOLDERS) {
      Files.createDirectories(swanctlDir(stateDir).resolve(folder));
    }
    Path conf = stateDir.resolve("strongswan.conf");
    Files.writeString(conf, strongswanConf(stateDir, options));
    // ip netns exec, unshare, env and sh all exec: the Process is charon itself, so signals and
    // waitFor reach the daemon and no orphan is left behind.
    Process p =
        new ProcessBuilder(
                Shell.inNamespace(
                    namespace,
                    "unshare",
                    "--mount",
                    "--propagation",
                    "private",
                    "env",
                    "STRONGSWAN_CONF=" + conf,
                    "sh",
                    "-c",
                    "mount --bind \"$0\" /run && exec \"$1\"",
                    run.toString(),
                    options.charonBinary()))
            .redirectInput(Shell.NO_INPUT)
            .redirectErrorStream(true)
            .redirectOutput(stateDir.resolve("charon.out").toFile())
            .start();
    StrongSwan swan = new StrongSwan(namespace, stateDir, options, p);
    try {
      swan.awaitVici();
      if (!swan.log().contains("created TUN device")) {
        throw new IOException("charon did not load kernel-libipsec:\n" + swan.log());
      }
      swan.load(swanctlConf);
      return swan;
    } catch (IOException | RuntimeException e) {
      swan.close();
      throw e;
    }
  }

  static String strongswanConf(Path stateDir, Options o) {
    return """
        # One charon of the interop tests (dev.vpngw.appliance.interop.StrongSwan); selected with
        # STRONGSWAN_CONF, so nothing from /etc/strongswan.d is read.
        charon {
          load_modular = no
          load = %s
          install_routes = yes
          make_before_break = yes
          retransmit_tries = %d
          retransmit_timeout = %s
          retransmit_base = %s
          filelog {
            charonlog {
              path = %s
              time_format = %%T
              append = no
              flush_line = yes
              default = 1
              ike = %d
              cfg = 2
              # chd = 4 logs the derived ESP keys, which espKeys() reads. Test use only!
              chd = 4
              knl = 1
              net = 1
              enc = 1
            }
          }
          plugins {
            vici {
              socket = %s
            }
            kernel-libipsec {
              mtu = %d
            }
          }
        }
        """
        .formatted(
            PLUGINS,
            o.retransmitTries(),
            o.retransmitTimeout(),
            o.retransmitBase(),
            stateDir.resolve("charon.log"),
            o.ikeLogLevel(),
            viciUri(stateDir),
            o.tunMtu());
  }

  private static String viciUri(Path stateDir) {
    return "unix://" + stateDir.resolve("charon.vici");
  }

  private void awaitVici() throws IOException {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (true) {
      if (!charon.isAlive()) {
        throw new IOException(
            "charon in " + namespace + " exited " + charon.exitValue() + ":\n" + output() + log());
      }
      if (Files.exists(stateDir.resolve("charon.vici"))
          && swanctl(Duration.ofSeconds(5), "--stats").ok()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "vici of charon in "
                + namespace
                + " not answering after "
                + options.startTimeout()
                + ":\n"
                + log());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting charon", e);
      }
    }
  }

  /**
   * Writes {@code swanctlConf} into the swanctl directory and loads it and every credential there
   * ({@code swanctl --load-all}); connections no longer in it are unloaded.
   */
  public void load(String swanctlConf) throws IOException {
    Path file = swanctlDir(stateDir).resolve("swanctl.conf");
    Files.writeString(file, swanctlConf);
    Shell.Result r =
        Shell.run(
            options.commandTimeout(),
            List.of(
                "env",
                "SWANCTL_DIR=" + swanctlDir(stateDir),
                "swanctl",
                "--load-all",
                "--uri",
                viciUri(stateDir),
                "--file",
                file.toString()));
    // swanctl exits 0 when a credential fails to load; its "loading ... failed" line is the sign.
    if (!r.ok() || (r.output() + r.errors()).contains("failed")) {
      throw new IOException(r.describe() + "\n" + swanctlConf);
    }
  }

  /** Initiates the CHILD_SA {@code child} (and its IKE_SA if needed); returns once established. */
  public void initiate(String child) throws IOException {
    waitedSwanctl("--initiate", "--child", child);
  }

  /**
   * Initiates the CHILD_SA {@code child} of connection {@code ike} (and the IKE_SA if needed), for
   * configurations where several connections have a child of that name; returns once established.
   */
  public void initiate(String ike, String child) throws IOException {
    waitedSwanctl("--initiate", "--ike", ike, "--child", child);
  }

  /**
   * Initiates the IKE_SA of connection {@code ike} without a CHILD_SA; returns once established.
   */
  public void initiateIke(String ike) throws IOException {
    waitedSwanctl("--initiate", "--ike", ike);
  }

  /** Deletes the IKE_SA of connection {@code ike} (and its CHILD_SAs); returns once it is gone. */
  public void terminateIke(String ike) throws IOException {
    waitedSwanctl("--terminate", "--ike", ike);
  }

  /**
   * Deletes every IKE_SA charon has without waiting for the peers' answers ({@code --force}), so
   * that a test can start the next case from nothing even when the peer is gone; returns once none
   * is listed.
   */
  public void terminateAll() throws IOException {
    for (IkeSaInfo sa : listSas()) {
      // An IKE_SA that went away meanwhile makes swanctl fail; the listing below decides.
      swanctl(
          options.commandTimeout(),
          "--terminate",
          "--ike-id",
          Integer.toString(sa.uniqueId()),
          "--force");
    }
    if (!waitFor(List::isEmpty, options.commandTimeout())) {
      throw new IOException("charon in " + namespace + " still has IKE_SAs:\n" + listSas());
    }
  }

  /**
   * Starts a rekey of the CHILD_SA {@code child}. Returns once charon has queued it, not when it is
   * done: {@link #waitFor} a new SPI.
   */
  public void rekeyChild(String child) throws IOException {
    check(swanctl(options.commandTimeout(), "--rekey", "--child", child));
  }

  /** Starts a rekey of the IKE_SA of connection {@code ike}; like {@link #rekeyChild}, queued. */
  public void rekeyIke(String ike) throws IOException {
    check(swanctl(options.commandTimeout(), "--rekey", "--ike", ike));
  }

  /** The IKE_SAs (with their CHILD_SAs) charon has now. */
  public List<IkeSaInfo> listSas() throws IOException {
    return SaListing.parse(check(swanctl(options.commandTimeout(), "--list-sas", "--pretty")));
  }

  /**
   * Polls {@link #listSas()} until {@code condition} holds or {@code timeout} passes; returns
   * whether it held. Fails at once if charon has died.
   */
  public boolean waitFor(Predicate<List<IkeSaInfo>> condition, Duration timeout) {
    return Shell.poll(
        timeout,
        () -> {
          if (!charon.isAlive()) {
            throw new IllegalStateException("charon in " + namespace + " died:\n" + log());
          }
          try {
            return condition.test(listSas());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** charon's log so far (the whole file; it stays in the state directory after close). */
  public String log() {
    return read(stateDir.resolve("charon.log"));
  }

  /** The keys of every CHILD_SA established so far, from the log (see {@link EspKeyLog}). */
  public List<EspKey> espKeys() {
    return EspKeyLog.parse(log());
  }

  /** The namespace charon runs in. */
  public String namespace() {
    return namespace;
  }

  /** The state directory (configuration, log, vici socket). */
  public Path stateDir() {
    return stateDir;
  }

  /** charon's process id. */
  public long pid() {
    return charon.pid();
  }

  /** Stops charon: SIGTERM (it deletes its SAs, telling peers), SIGKILL after the stop timeout. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    charon.destroy();
    try {
      if (!charon.waitFor(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        charon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      charon.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void waitedSwanctl(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--timeout");
    a.add(Long.toString(Math.max(1, options.commandTimeout().toSeconds())));
    // swanctl gives up first and says why; the extra time only guards against a hung swanctl.
    check(swanctl(options.commandTimeout().plusSeconds(10), a.toArray(String[]::new)));
  }

  private String check(Shell.Result r) throws IOException {
    if (!r.ok()) {
      throw new IOException("in " + namespace + ": " + r.describe());
    }
    return r.output();
  }

  /** Runs swanctl {@code command args}: it wants the command first and {@code --uri} after it. */
  private Shell.Result swanctl(Duration timeout, String... commandAndArgs) throws IOException {
    List<String> c = new ArrayList<>(List.of("swanctl", commandAndArgs[0], "--uri"));
    c.add(viciUri(stateDir));
    c.addAll(List.of(commandAndArgs).subList(1, commandAndArgs.length));
    return Shell.run(timeout, c);
  }

  private String output() {
    return read(stateDir.resolve("charon.out"));
  }

  private static String read(Path file) {
    try {
      // Not Files.readString: a stray non-UTF-8 byte in a log must not make it unreadable.
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
