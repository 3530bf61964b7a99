package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.HaSection;
import dev.vpngw.appliance.er.ExpressRouteGateway;
import dev.vpngw.crypto.kat.SelfTest;
import dev.vpngw.pipeline.ThreadingMode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway run --config FILE}: runs one appliance until it is stopped (SIGTERM/SIGINT). The
 * crypto self-test runs first, as a power-on test: a gateway whose crypto fails its known answers
 * must not carry traffic. The configuration is FILE, or, when the management API changed it since
 * FILE was last written, the one it persisted in the run directory; the API then serves changes.
 */
@Command(name = "run", description = "Run the gateway described by a configuration file.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "The gateway's YAML configuration.")
  Path config;

  @Option(
      names = "--threading",
      defaultValue = "DEDICATED",
      description = "DEDICATED (I/O thread + one per worker) or SHARED (one thread).")
  ThreadingMode threading;

  @Option(
      names = "--pin",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Pin the I/O thread and each worker to a core (default; --no-pin to let the kernel"
              + " place them).")
  boolean pin;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    GatewayConfig cfg;
    ConfigDocument document;
    ConfigStore store;
    HaSection ha;
    try {
      byte[] bytes = Files.readAllBytes(config);
      Object tree = ConfigLoader.read(new String(bytes, StandardCharsets.UTF_8));
      document = ConfigDocument.of(tree);
      cfg = document.validate();
      // The node's own HA settings always come from its file (the API changes resources only).
      ha = HaSection.parse(tree, cfg.gateway());
      store = new ConfigStore(cfg.gateway().runDirectory(), ConfigStore.hash(bytes));
      if (store.current()) {
        ConfigDocument applied = store.load();
        GatewayConfig appliedConfig = applied.validate();
        if (!appliedConfig.gateway().name().equals(cfg.gateway().name())) {
          throw new ConfigException(
              store.file().toString(), "belongs to gateway " + appliedConfig.gateway().name());
        }
        out.println(
            "vpngw "
                + cfg.gateway().name()
                + ": using the configuration applied through the API, "
                + store.file());
        document = applied;
        cfg = appliedConfig;
      } else if (store.exists()) {
        out.println(
            "vpngw "
                + cfg.gateway().name()
                + ": "
                + config
                + " changed since the API last applied a change: it replaces "
                + store.file());
      }
    } catch (ConfigException e) {
      System.err.println("vpngw: configuration refused: " + e.getMessage());
      return 2;
    }
    if (cfg.gateway().gatewayType() == GatewayConfig.GatewayType.ExpressRoute) {
      return runExpressRoute(cfg, out);
    }
    java.io.ByteArrayOutputStream selfTest = new java.io.ByteArrayOutputStream();
    if (!SelfTest.run(new PrintStream(selfTest, true))) {
      System.err.print(selfTest);
      System.err.println("vpngw: crypto self-test failed; not starting");
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    try (GatewayRuntime runtime = GatewayRuntime.start(cfg, threading, pin, ha);
        FqdnWatcher fqdns = FqdnWatcher.start(new Reconfigurer(runtime, store, document, cfg));
        ManagementApi api = startApi(cfg, runtime, fqdns.reconfigurer())) {
      runtime.ikeEventHook(fqdns);
      stopOnSignal(stop, closed);
      if (api != null) {
        out.println(
            "vpngw "
                + cfg.gateway().name()
                + ": management API on "
                + cfg.gateway().api().address().getHostAddress()
                + " port "
                + api.port()
                + ", token in "
                + cfg.gateway().api().tokenFile());
      }
      out.println(
          "vpngw "
              + cfg.gateway().name()
              + ": running; status: gateway status --counters "
              + runtime.countersPath());
      out.flush();
      stop.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /**
   * An ExpressRoute gateway: its circuits' monitors until stopped. No crypto, no tunnels, no
   * management API (its configuration is the file).
   */
  private static int runExpressRoute(GatewayConfig cfg, PrintStream out)
      throws java.io.IOException, InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    try (ExpressRouteGateway gateway = ExpressRouteGateway.start(cfg, out)) {
      stopOnSignal(stop, closed);
      for (GatewayConfig.ExpressRouteCircuit c : cfg.expressRouteCircuits()) {
        out.printf(
            "vpngw %s: circuit %s on %s to %s, prefixes %s, echo probe every %d ms x %d to port"
                + " %d%n",
            cfg.gateway().name(),
            c.name(),
            c.device(),
            c.peerAddress().getHostAddress(),
            c.addressPrefixes(),
            c.liveness().interval().toMillis(),
            c.liveness().multiplier(),
            c.liveness().port());
      }
      out.println("vpngw " + cfg.gateway().name() + ": running; ExpressRoute gateway");
      out.flush();
      stop.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  private static ManagementApi startApi(
      GatewayConfig cfg, GatewayRuntime runtime, Reconfigurer reconfigurer)
      throws java.io.IOException {
    if (cfg.gateway().api().port() == 0) {
      return null;
    }
    ManagementApi api =
        ManagementApi.start(
            cfg.gateway().api(),
            reconfigurer,
            cfg.gateway().runDirectory().resolve(ApiClient.URL_FILE));
    api.ha(runtime.ha());
    return api;
  }

  /**
   * On SIGTERM or SIGINT: releases STOP and waits (up to 10 s) for CLOSED, since the JVM exits when
   * its shutdown hooks return and the teardown (keys wiped, agents stopped) must finish first.
   */
  private static void stopOnSignal(CountDownLatch stop, CountDownLatch closed) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "vpngw-shutdown"));
  }
}
