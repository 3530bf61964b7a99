package dev.vpngw.ikev2;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.DpdAction;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.config.Retransmission;
import dev.vpngw.ikev2.proposal.ProposalParser;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Two IKE daemons joined by an in-memory network that the test drives by hand: every datagram waits
 * in a queue until {@link #deliver} moves it, a filter can drop any of them, and the clock only
 * moves when the test says. So every step of an exchange is deterministic and observable.
 */
final class IkePair {
  static final InetAddress A_ADDRESS = address("192.0.2.1");
  static final InetAddress B_ADDRESS = address("192.0.2.2");

  /** A datagram on the wire. */
  record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data, boolean keepalive) {}

  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final Deque<Datagram> wire = new ArrayDeque<>();
  final List<Datagram> sent = new ArrayList<>();
  final List<String> logA = new ArrayList<>();
  final List<String> logB = new ArrayList<>();
  final MemoryInstaller installerA = new MemoryInstaller();
  final MemoryInstaller installerB = new MemoryInstaller();
  IkeDaemon a;
  IkeDaemon b;
  Predicate<Datagram> drop = d -> false;
  private final IkeConnectionConfig configA;
  private final IkeSettings settings;

  /** Builds both daemons from the two connection configs. */
  IkePair(IkeConnectionConfig configA, IkeConnectionConfig configB, IkeSettings settings) {
    this.configA = configA;
    this.settings = settings;
    a = daemon(configA, A_ADDRESS, installerA, logA, settings, 1);
    b = daemon(configB, B_ADDRESS, installerB, logB, settings, 2);
  }

  private IkeDaemon daemon(
      IkeConnectionConfig config,
      InetAddress self,
      MemoryInstaller installer,
      List<String> log,
      IkeSettings settings,
      long seed) {
    IkeTransport transport =
        new IkeTransport() {
          @Override
          public void send(InetSocketAddress to, int localPort, byte[] datagram) {
            Datagram d =
                new Datagram(new InetSocketAddress(self, localPort), to, datagram.clone(), false);
            sent.add(d);
            wire.add(d);
          }

          @Override
          public void sendKeepalive(InetSocketAddress to) {
            sent.add(new Datagram(new InetSocketAddress(self, 4500), to, new byte[] {-1}, true));
          }
        };
    SecureRandom random;
    try {
      random = SecureRandom.getInstance("SHA1PRNG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    random.setSeed(seed);
    return new IkeDaemon(
        List.of(config),
        transport,
        installer,
        new IkeLog(log::add),
        clock::get,
        random,
        settings,
        KeyLog.NONE);
  }

  /**
   * A second daemon for A's address and connection (an HA standby taking over), held, with its own
   * installer; it replaces A on the wire.
   */
  IkeDaemon replaceA(MemoryInstaller installer, long seed) {
    IkeDaemon standby = daemon(configA, A_ADDRESS, installer, logA, settings, seed);
    standby.hold(true);
    a = standby;
    return standby;
  }

  /** Delivers queued datagrams (and those they cause) until the wire is empty; returns how many. */
  int deliver() {
    int n = 0;
    while (!wire.isEmpty() && n < 1000) {
      Datagram d = wire.poll();
      n++;
      if (drop.test(d)) {
        continue;
      }
      IkeDaemon target = d.to().getAddress().equals(A_ADDRESS) ? a : b;
      target.onDatagram(d.from(), d.to().getPort(), d.data(), 0, d.data().length);
    }
    return n;
  }

  /** Moves the clock and runs both daemons' timers, then delivers what they sent. */
  void advance(Duration d) {
    clock.addAndGet(d.toNanos());
    a.onTimer();
    b.onTimer();
    deliver();
  }

  /** Moves the clock in steps of {@code step} until {@code total} has passed. */
  void run(Duration total, Duration step) {
    for (long t = 0; t < total.toNanos(); t += step.toNanos()) {
      advance(step);
    }
  }

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static IkeSettings settings() {
    return new IkeSettings(
        new Retransmission(Duration.ofSeconds(1), 2.0, 3),
        1000,
        Duration.ofSeconds(20),
        Duration.ofSeconds(5));
  }

  /** A PSK connection from {@code self} to {@code peer}, with overridable parts. */
  static Builder connection(String name, InetAddress self, InetAddress peer) {
    return new Builder(name, self, peer);
  }

  /** Builds test connections. */
  static final class Builder {
    final String name;
    final InetAddress self;
    final InetAddress peer;
    String psk = "a shared secret of decent length";
    String ike = "aes256-sha256-modp2048";
    List<String> ikeProposals;
    String esp = "aes128gcm16";
    List<String> espProposals;
    ConnectionMode mode = ConnectionMode.BOTH;
    IkeConnectionConfig.Lifetimes lifetimes = IkeConnectionConfig.Lifetimes.defaults();
    Duration dpdDelay = Duration.ZERO;
    Duration dpdTimeout = Duration.ZERO;
    DpdAction dpdAction = DpdAction.RESTART;
    boolean forceEncap;
    boolean childPerPair;
    IkeConnectionConfig.Auth localAuth;
    IkeConnectionConfig.Auth remoteAuth;
    Identity localId;
    Identity remoteId;
    String localTs;
    String remoteTs;

    Builder(String name, InetAddress self, InetAddress peer) {
      this.name = name;
      this.self = self;
      this.peer = peer;
    }

    Builder psk(String v) {
      psk = v;
      return this;
    }

    Builder ike(String v) {
      ike = v;
      return this;
    }

    Builder ikeProposals(List<String> v) {
      ikeProposals = v;
      return this;
    }

    Builder esp(String v) {
      esp = v;
      return this;
    }

    Builder espProposals(List<String> v) {
      espProposals = v;
      return this;
    }

    Builder mode(ConnectionMode v) {
      mode = v;
      return this;
    }

    Builder lifetimes(IkeConnectionConfig.Lifetimes v) {
      lifetimes = v;
      return this;
    }

    Builder dpdDelay(Duration v) {
      dpdDelay = v;
      return this;
    }

    Builder dpdTimeout(Duration v) {
      dpdTimeout = v;
      return this;
    }

    Builder dpdAction(DpdAction v) {
      dpdAction = v;
      return this;
    }

    Builder forceEncap(boolean v) {
      forceEncap = v;
      return this;
    }

    Builder localAuth(IkeConnectionConfig.Auth v) {
      localAuth = v;
      return this;
    }

    Builder remoteAuth(IkeConnectionConfig.Auth v) {
      remoteAuth = v;
      return this;
    }

    Builder localId(Identity v) {
      localId = v;
      return this;
    }

    Builder remoteId(Identity v) {
      remoteId = v;
      return this;
    }

    Builder localTs(String v) {
      localTs = v;
      return this;
    }

    Builder remoteTs(String v) {
      remoteTs = v;
      return this;
    }

    Builder childPerPair(boolean v) {
      childPerPair = v;
      return this;
    }

    IkeConnectionConfig build() {
      List<String> ikes = ikeProposals != null ? ikeProposals : List.of(ike);
      List<String> esps = espProposals != null ? espProposals : List.of(esp);

      boolean a = self.equals(A_ADDRESS);
      String lts = localTs != null ? localTs : a ? "10.1.0.0/16" : "10.2.0.0/16";
      String rts = remoteTs != null ? remoteTs : a ? "10.2.0.0/16" : "10.1.0.0/16";
      // Several selectors are written comma-separated.
      List<String> localList = List.of(lts.split(","));
      List<String> remoteList = List.of(rts.split(","));
      IkeConnectionConfig.Psk key =
          new IkeConnectionConfig.Psk(psk.getBytes(StandardCharsets.UTF_8));
      return new IkeConnectionConfig(
          name,
          self,
          peer,
          localId != null ? localId : Identity.of(self),
          remoteId,
          localAuth != null ? localAuth : key,
          remoteAuth != null ? remoteAuth : key,
          ikes.stream().map(ProposalParser::ike).toList(),
          esps.stream().map(ProposalParser::esp).toList(),
          localList.stream().map(TrafficSelector::parse).toList(),
          remoteList.stream().map(TrafficSelector::parse).toList(),
          lifetimes,
          dpdDelay,
          dpdTimeout,
          dpdAction,
          mode,
          forceEncap,
          childPerPair);
    }
  }
}
