package dev.vpngw.appliance.er;

import dev.vpngw.appliance.config.GatewayConfig.ExpressRouteCircuit;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.io.link.LinkConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * One circuit's liveness probe and routes, on a thread of its own ({@code er-NAME}).
 *
 * <p>Every {@code interval} it sends a 16-byte UDP echo probe (magic {@code VGE1}, a random
 * discriminator of this monitor, a sequence number) to the far end's echo port, which sends it back
 * unchanged; it reads the link's carrier from {@code /sys/class/net/DEV/operstate} on every turn.
 * {@link CircuitLiveness} decides; on a change the monitor puts the circuit's prefixes into the
 * kernel's routing table of this namespace ({@code ip route replace PREFIX via PEER dev DEV metric
 * 50}) or takes them out. The VPN gateway's routes to the same prefixes, into its TUN device, have
 * metric 100, so the kernel sends the traffic over the circuit while it is up and over the VPN
 * otherwise: the switch is one route change, no packet is held.
 *
 * <p>Each change is one log line: {@code event=circuit_up} or {@code event=circuit_down} with the
 * reason ({@code link}, {@code probes}), the time since the last echo and how long the route change
 * took.
 */
public final class CircuitMonitor implements AutoCloseable {
  /** The metric of a circuit's routes: preferred to the VPN's (GatewayRuntime, 100). */
  public static final int ROUTE_METRIC = 50;

  private static final int MAGIC = 0x56474531; // "VGE1"
  private static final int PROBE_LENGTH = 16;

  private final ExpressRouteCircuit circuit;
  private final PrintStream log;
  private final DatagramSocket socket;
  private final int discriminator;
  private final Thread thread;
  private volatile boolean running = true;
  private boolean routesInstalled;
  private String lastRouteError;

  private CircuitMonitor(ExpressRouteCircuit circuit, PrintStream log) throws IOException {
    this.circuit = circuit;
    this.log = log;
    this.socket = new DatagramSocket();
    socket.connect(new InetSocketAddress(circuit.peerAddress(), circuit.liveness().port()));
    this.discriminator = new SecureRandom().nextInt();
    this.thread = Thread.ofPlatform().name("er-" + circuit.name()).unstarted(this::run);
  }

  /** Starts monitoring {@code circuit}; its routes go in once it is found alive. */
  public static CircuitMonitor start(ExpressRouteCircuit circuit, PrintStream log)
      throws IOException {
    CircuitMonitor m = new CircuitMonitor(Objects.requireNonNull(circuit), log);
    // A previous run killed outright leaves its routes in the kernel; the circuit starts down, so
    // they go until it proves itself alive again.
    m.routesInstalled = true;
    m.reconcile(false);
    m.thread.start();
    return m;
  }

  private void run() {
    long interval = circuit.liveness().interval().toNanos();
    CircuitLiveness liveness =
        new CircuitLiveness(interval, circuit.liveness().multiplier(), System.nanoTime());
    byte[] out = new byte[PROBE_LENGTH];
    byte[] in = new byte[64];
    DatagramPacket reply = new DatagramPacket(in, in.length);
    long lastEcho = System.nanoTime();
    while (running) {
      long now = System.nanoTime();
      act(liveness.link(carrier(circuit.device()), now), now, lastEcho);
      if (now - liveness.nextProbeAt() >= 0) {
        ByteBuffer.wrap(out).putInt(MAGIC).putInt(discriminator).putLong(liveness.probeSent(now));
        try {
          socket.send(new DatagramPacket(out, out.length));
        } catch (IOException e) {
          // Lost like any probe on a dead link (no route, no neighbour): detection counts it.
        }
      }
      act(liveness.poll(now), now, lastEcho);
      reconcile(liveness.isUp());
      long waitMillis = Math.max(1, (liveness.nextProbeAt() - System.nanoTime()) / 1_000_000);
      try {
        socket.setSoTimeout((int) Math.min(waitMillis, Integer.MAX_VALUE));
        socket.receive(reply);
        long at = System.nanoTime();
        ByteBuffer b = ByteBuffer.wrap(in, 0, reply.getLength());
        if (reply.getLength() == PROBE_LENGTH
            && b.getInt() == MAGIC
            && b.getInt() == discriminator) {
          long sequence = b.getLong();
          CircuitLiveness.Transition t = liveness.echoReceived(sequence, at);
          act(t, at, lastEcho);
          lastEcho = at;
          reconcile(liveness.isUp());
        }
      } catch (SocketTimeoutException e) {
        // the next probe is due
      } catch (IOException e) {
        if (!running) {
          return;
        }
        // ICMP unreachable for the last probe (PortUnreachableException) and the like: no echo.
        sleepQuietly(waitMillis);
      }
    }
  }

  private void act(CircuitLiveness.Transition t, long now, long lastEcho) {
    if (t == CircuitLiveness.Transition.NONE) {
      return;
    }
    long started = System.nanoTime();
    reconcile(t == CircuitLiveness.Transition.UP);
    long routeMicros = (System.nanoTime() - started) / 1_000;
    String event = t == CircuitLiveness.Transition.UP ? "circuit_up" : "circuit_down";
    String reason =
        switch (t) {
          case DOWN_LINK -> " reason=link";
          case DOWN_PROBES -> " reason=probes";
          default -> "";
        };
    log.printf(
        "event=%s circuit=%s device=%s%s since_last_echo_ms=%d routes=%s route_change_us=%d%n",
        event,
        circuit.name(),
        circuit.device(),
        reason,
        (now - lastEcho) / 1_000_000,
        routesInstalled ? "installed" : "withdrawn",
        routeMicros);
    log.flush();
  }

  /**
   * Brings the kernel's routes in line with {@code up}; a failure is logged and retried.
   * Synchronized: {@link #close} withdraws the routes while a monitor thread that did not stop in
   * time may still be at it.
   */
  private synchronized void reconcile(boolean up) {
    if (up == routesInstalled) {
      return;
    }
    try {
      String peer = circuit.peerAddress().getHostAddress();
      for (IpPrefix p : circuit.addressPrefixes()) {
        if (up) {
          LinkConfig.replaceRouteVia(p.toString(), peer, circuit.device(), ROUTE_METRIC);
        } else {
          LinkConfig.deleteRouteVia(p.toString(), peer, circuit.device(), ROUTE_METRIC);
        }
      }
      routesInstalled = up;
      lastRouteError = null;
    } catch (IOException | RuntimeException e) {
      String message = e.getMessage();
      if (!Objects.equals(message, lastRouteError)) {
        log.printf(
            "event=circuit_route_error circuit=%s error=\"%s\"%n",
            circuit.name(), String.valueOf(message).replace("\"", "'"));
        log.flush();
        lastRouteError = message;
      }
    }
  }

  /** The link's operational state: up (or unknown, as devices without carrier report it). */
  static boolean carrier(String device) {
    try {
      String state =
          Files.readString(
                  Path.of("/sys/class/net", device, "operstate"), StandardCharsets.US_ASCII)
              .strip();
      return state.equals("up") || state.equals("unknown");
    } catch (IOException e) {
      return false; // no such device (any more)
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops probing and takes the circuit's routes out. */
  @Override
  public void close() {
    running = false;
    socket.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reconcile(false);
  }
}
