package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.crypto.kat.SelfTest;
import dev.vpngw.pipeline.ThreadingMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway run --config FILE}: runs one appliance until it is stopped (SIGTERM/SIGINT). The
 * crypto self-test runs first, as a power-on test: a gateway whose crypto fails its known answers
 * must not carry traffic.
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
    try {
      cfg = ConfigLoader.load(config);
    } catch (ConfigException e) {
      System.err.println("vpngw: configuration refused: " + e.getMessage());
      return 2;
    }
    java.io.ByteArrayOutputStream selfTest = new java.io.ByteArrayOutputStream();
    if (!SelfTest.run(new PrintStream(selfTest, true))) {
      System.err.print(selfTest);
      System.err.println("vpngw: crypto self-test failed; not starting");
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    try (GatewayRuntime runtime = GatewayRuntime.start(cfg, threading, pin)) {
      // The JVM exits when the hooks return: wait for the teardown (keys wiped, agents stopped).
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
}
