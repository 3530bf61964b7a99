package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.ikev2.IkeLog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site given by FQDN follows its name: a new address is picked up without a restart of the
 * gateway, by the periodic check or sooner after an IKE failure, and only that site's connection
 * restarts, towards the new address. The resolver is a table the test changes; the clock is a hand
 * clock; checks asked for by IKE events run at once (the executor is the caller).
 */
class FqdnWatcherTest {
  static final String YAML =
      """
      gateway:
        name: gw-a
        publicAddress: 192.0.2.1
        vnetPrefixes: [10.1.0.0/16]
        workers: 1
        runDirectory: %s
      localNetworkGateways:
        - {name: site-b, fqdn: vpn.site-b.example, addressPrefixes: [10.2.0.0/16]}
        - {name: site-c, gatewayAddress: 192.0.2.3, addressPrefixes: [10.3.0.0/16]}
      connections:
        - {name: to-b, localNetworkGateway: site-b, sharedKey: "key of site b 1"}
        - {name: to-c, localNetworkGateway: site-c, sharedKey: "key of site c 1"}
      """;

  @TempDir Path dir;

  final Map<String, List<InetAddress>> dns = new HashMap<>();
  final List<String> calls = new ArrayList<>();
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  Reconfigurer reconfigurer;
  FqdnWatcher watcher;

  final ConfigLoader.Resolver resolver =
      fqdn -> {
        List<InetAddress> a = dns.get(fqdn);
        if (a == null) {
          throw new UnknownHostException(fqdn);
        }
        return a;
      };

  @BeforeEach
  void start() throws Exception {
    dns.put("vpn.site-b.example", List.of(InetAddress.ofLiteral("192.0.2.2")));
    String yaml = YAML.formatted(dir);
    ConfigDocument doc = ConfigDocument.of(ConfigLoader.read(yaml));
    GatewayConfig config = doc.validate(resolver);
    ConfigStore store =
        new ConfigStore(dir, ConfigStore.hash(yaml.getBytes(StandardCharsets.UTF_8)));
    Reconfigurer.Host host =
        new Reconfigurer.Host() {
          @Override
          public void start(GatewayConfig.Connection c, GatewayConfig.Gateway g) {
            calls.add("start " + c.name());
          }

          @Override
          public void stop(GatewayConfig.Connection c, GatewayConfig.Gateway g) {
            calls.add("stop " + c.name());
          }

          @Override
          public String refuses(GatewayConfig.Connection c) {
            return null;
          }

          @Override
          public void bandwidthLimit(long bitsPerSecond) {
            calls.add("bandwidth " + bitsPerSecond);
          }

          @Override
          public void restart(
              GatewayConfig.Connection old,
              GatewayConfig.Gateway oldGateway,
              GatewayConfig.Connection now,
              GatewayConfig.Gateway gateway) {
            calls.add(
                "restart "
                    + now.name()
                    + " "
                    + old.localNetworkGateway().gatewayAddress().getHostAddress()
                    + " -> "
                    + now.localNetworkGateway().gatewayAddress().getHostAddress());
          }
        };
    reconfigurer = new Reconfigurer(host, store, doc, config, resolver);
    watcher = new FqdnWatcher(reconfigurer, resolver, clock::get, Runnable::run);
  }

  private String addressOfB() {
    return reconfigurer.config().connections().get(0).ike().remoteAddress().getHostAddress();
  }

  @Test
  void aNewAddressRestartsOnlyThatSitesConnectionTowardsIt() throws Exception {
    assertEquals(List.of(), watcher.check(), "nothing moved yet");
    assertEquals(List.of(), calls);

    dns.put("vpn.site-b.example", List.of(InetAddress.ofLiteral("192.0.2.12")));
    assertEquals(List.of("site-b"), watcher.check());
    assertEquals(List.of("restart to-b 192.0.2.2 -> 192.0.2.12"), calls);
    assertEquals("192.0.2.12", addressOfB(), "the IKE peer of to-b");

    // Checked again with nothing new: nothing restarts.
    calls.clear();
    assertEquals(List.of(), watcher.check());
    assertEquals(List.of(), calls);
  }

  /**
   * Round-robin DNS: the name answers several addresses, in another order each time. While the one
   * in use is among them nothing restarts, neither by the check nor by an unrelated change.
   */
  @Test
  void anotherOrderOfTheSameAddressesIsNoMove() throws Exception {
    InetAddress b = InetAddress.ofLiteral("192.0.2.2");
    InetAddress other = InetAddress.ofLiteral("192.0.2.22");
    dns.put("vpn.site-b.example", List.of(other, b));
    assertEquals(List.of(), watcher.check());
    ConfigDocument doc = reconfigurer.document();
    Map<String, Object> c = doc.find(ConfigDocument.CONNECTIONS, "to-c");
    c.put("routingWeight", 3);
    reconfigurer.apply(doc.put(ConfigDocument.CONNECTIONS, "to-c", c));
    assertEquals(List.of("restart to-c 192.0.2.3 -> 192.0.2.3"), calls);
    assertEquals("192.0.2.2", addressOfB());
    // The address in use gone from the answer: the site moved, to the first address given.
    dns.put("vpn.site-b.example", List.of(other));
    assertEquals(List.of("site-b"), watcher.check());
    assertEquals("192.0.2.22", addressOfB());
  }

  @Test
  void aNameThatNoLongerResolvesKeepsTheLastAddress() throws Exception {
    dns.clear();
    assertEquals(List.of(), watcher.check());
    assertEquals(List.of(), calls);
    assertEquals("192.0.2.2", addressOfB());
  }

  @Test
  void anIkeFailureOfTheSiteBringsTheCheckForwardButNotTooOften() throws Exception {
    watcher.check();
    dns.put("vpn.site-b.example", List.of(InetAddress.ofLiteral("192.0.2.12")));
    IkeLog.Event unreachable =
        new IkeLog.Event(Instant.now(), "peer_unreachable", "to-b", List.of("retransmits", "3"));
    // Within MIN_GAP of the last check: left to the next one.
    clock.addAndGet(FqdnWatcher.MIN_GAP.toNanos() - 1);
    watcher.accept(unreachable);
    assertEquals(List.of(), calls);
    // Other events, and failures of a site given by address, ask for nothing.
    clock.addAndGet(FqdnWatcher.MIN_GAP.toNanos());
    watcher.accept(new IkeLog.Event(Instant.now(), "ike_sa_down", "to-b", List.of()));
    watcher.accept(new IkeLog.Event(Instant.now(), "peer_unreachable", "to-c", List.of()));
    assertEquals(List.of(), calls);
    watcher.accept(unreachable);
    assertEquals(List.of("restart to-b 192.0.2.2 -> 192.0.2.12"), calls);
    assertEquals("192.0.2.12", addressOfB());
  }

  @Test
  void aFailedRoundIsReportedAndTheNextOneStillFollowsTheName() throws Exception {
    boolean[] broken = {true};
    ConfigLoader.Resolver flaky =
        fqdn -> {
          if (broken[0]) {
            throw new IllegalStateException("resolver broke");
          }
          return resolver.resolve(fqdn);
        };
    FqdnWatcher w = new FqdnWatcher(reconfigurer, flaky, clock::get, Runnable::run);
    IkeLog.Event unreachable =
        new IkeLog.Event(Instant.now(), "peer_unreachable", "to-b", List.of("retransmits", "3"));
    dns.put("vpn.site-b.example", List.of(InetAddress.ofLiteral("192.0.2.12")));
    // The failure stays in the round (a scheduled task that threw would never run again).
    w.accept(unreachable);
    assertEquals(List.of(), calls);
    broken[0] = false;
    clock.addAndGet(FqdnWatcher.MIN_GAP.toNanos());
    w.accept(unreachable);
    assertEquals(List.of("restart to-b 192.0.2.2 -> 192.0.2.12"), calls);
  }

  @Test
  void aNudgeAfterCloseIsIgnored() {
    FqdnWatcher closed =
        new FqdnWatcher(
            reconfigurer,
            resolver,
            clock::get,
            r -> {
              throw new java.util.concurrent.RejectedExecutionException("shut down");
            });
    closed.accept(
        new IkeLog.Event(Instant.now(), "peer_unreachable", "to-b", List.of("retransmits", "3")));
    assertEquals(List.of(), calls);
  }
}
