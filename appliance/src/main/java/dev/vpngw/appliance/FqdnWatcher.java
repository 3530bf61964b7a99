package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.GatewayConfig.LocalNetworkGateway;
import dev.vpngw.ikev2.IkeLog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Follows the addresses of the local network gateways given by FQDN: every {@link #INTERVAL} it
 * resolves them again and, when one moved (a site on a dynamic address), re-applies the running
 * configuration through the {@link Reconfigurer}, whose {@code ConfigDiff} then sees the site's new
 * address and restarts only that site's connections, towards the new address, without a restart of
 * the gateway. A site has moved when its name no longer resolves to the address in use (one of
 * several round-robin addresses answered first is no move). An IKE failure of such a connection
 * (its peer stopped answering: {@code peer_unreachable}) brings the next check forward, though not
 * closer than {@link #MIN_GAP} to the last, so a peer that is really down does not turn into a
 * stream of DNS queries. A name that no longer resolves keeps the last address. Runs on its own
 * thread ({@code vpngw-fqdn}): applying a change waits for the IKE thread, so the IKE thread's
 * event only hands the work over.
 */
final class FqdnWatcher implements Consumer<IkeLog.Event>, AutoCloseable {
  /** How often the FQDNs are resolved again. */
  static final Duration INTERVAL = Duration.ofSeconds(60);

  /** The least time between two checks that IKE failures asked for. */
  static final Duration MIN_GAP = Duration.ofSeconds(10);

  private final Reconfigurer reconfigurer;
  private final ConfigLoader.Resolver resolver;
  private final LongSupplier nanoClock;
  private final Executor executor;
  private final ScheduledExecutorService timer;
  private volatile long lastCheck;
  private volatile boolean checked;

  /**
   * A watcher that checks when {@link #check} is called or an IKE failure asks, on {@code
   * executor}; {@link #start} adds the periodic checks on a thread of its own.
   */
  FqdnWatcher(
      Reconfigurer reconfigurer,
      ConfigLoader.Resolver resolver,
      LongSupplier nanoClock,
      Executor executor) {
    this(reconfigurer, resolver, nanoClock, executor, null);
  }

  private FqdnWatcher(
      Reconfigurer reconfigurer,
      ConfigLoader.Resolver resolver,
      LongSupplier nanoClock,
      Executor executor,
      ScheduledExecutorService timer) {
    this.reconfigurer = reconfigurer;
    this.resolver = resolver;
    this.nanoClock = nanoClock;
    this.executor = executor;
    this.timer = timer;
  }

  /** The gateway's watcher: the system resolver, every {@link #INTERVAL} on {@code vpngw-fqdn}. */
  static FqdnWatcher start(Reconfigurer reconfigurer) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vpngw-fqdn");
              t.setDaemon(true);
              return t;
            });
    FqdnWatcher w =
        new FqdnWatcher(reconfigurer, ConfigLoader.Resolver.SYSTEM, System::nanoTime, timer, timer);
    timer.scheduleWithFixedDelay(
        w::checkSafely, INTERVAL.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
    return w;
  }

  /**
   * The reconfigurer it applies through, which the management API shares (one change at a time).
   */
  Reconfigurer reconfigurer() {
    return reconfigurer;
  }

  /** An IKE event (on the IKE thread): a connection to an FQDN site failed, so check soon. */
  @Override
  public void accept(IkeLog.Event event) {
    if (!event.name().equals("peer_unreachable") || !byFqdn(event.connection())) {
      return;
    }
    if (checked && nanoClock.getAsLong() - lastCheck < MIN_GAP.toNanos()) {
      return;
    }
    try {
      executor.execute(this::checkSafely);
    } catch (RejectedExecutionException stopped) {
      // The watcher is closed (the gateway stops): there is nothing left to follow.
    }
  }

  /**
   * {@link #check} for the timer and the IKE thread's nudges: a failure is reported and the next
   * round tries again (an exception escaping a scheduled task would cancel every later round).
   */
  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      System.err.printf(
          "vpngw %s: following the sites' FQDNs failed this round: %s%n",
          reconfigurer.config().gateway().name(), e);
    }
  }

  private boolean byFqdn(String connection) {
    return reconfigurer.config().connections().stream()
        .anyMatch(c -> c.name().equals(connection) && c.localNetworkGateway().fqdn() != null);
  }

  /**
   * Resolves every FQDN site again; if one moved, re-applies the running configuration so its
   * connections restart towards the new address. Returns the sites that moved.
   */
  synchronized List<String> check() {
    checked = true;
    lastCheck = nanoClock.getAsLong();
    GatewayConfig running = reconfigurer.config();
    List<String> moved = new ArrayList<>();
    for (LocalNetworkGateway site : running.localNetworkGateways()) {
      if (site.fqdn() == null) {
        continue;
      }
      try {
        List<InetAddress> now = resolver.resolve(site.fqdn());
        if (!now.isEmpty() && !now.contains(site.gatewayAddress())) {
          System.out.printf(
              "vpngw %s: %s (%s) now resolves to %s, was %s%n",
              running.gateway().name(),
              site.name(),
              site.fqdn(),
              now.stream().map(InetAddress::getHostAddress).toList(),
              site.gatewayAddress().getHostAddress());
          moved.add(site.name());
        }
      } catch (UnknownHostException e) {
        System.err.printf(
            "vpngw %s: %s (%s) does not resolve now; keeping %s%n",
            running.gateway().name(),
            site.name(),
            site.fqdn(),
            site.gatewayAddress().getHostAddress());
      }
    }
    if (moved.isEmpty()) {
      return moved;
    }
    try {
      reconfigurer.apply(reconfigurer.document());
    } catch (ConfigException | Reconfigurer.RestartNeeded | Reconfigurer.ApplyFailed e) {
      System.err.printf(
          "vpngw %s: cannot follow the new address of %s: %s%n",
          running.gateway().name(), moved, e.getMessage());
      return List.of();
    }
    return moved;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
