package dev.vpngw.benchmarks.udpping;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The latency probe of the end-to-end harness (benchmarks/run.sh latency): an echo server for the
 * far LAN and a fixed-rate client for the near one, so the round trip crosses the tunnel (or plain
 * routing) twice. The client prints one JSON line (see {@link PingReport}).
 *
 * <pre>
 *   UdpPing echo --bind ADDR:PORT
 *   UdpPing client --target ADDR:PORT [--bind ADDR] [--rate 1000] [--duration 10] [--warmup 2]
 *                  [--grace 1] [--size 36]
 * </pre>
 *
 * Times are in seconds (decimals allowed); {@code --size} is the UDP payload, so the default 36 is
 * a 64-byte IPv4 packet. IPv6 addresses go in brackets: {@code [fd00:2::2]:7007}.
 */
public final class UdpPing {
  private static final Set<String> ECHO_OPTIONS = Set.of("--bind");
  private static final Set<String> CLIENT_OPTIONS =
      Set.of("--target", "--bind", "--rate", "--duration", "--warmup", "--grace", "--size");

  private UdpPing() {}

  public static void main(String[] args) throws Exception {
    try {
      System.exit(run(args));
    } catch (IllegalArgumentException | UnknownHostException e) {
      System.err.println("udpping: " + e.getMessage());
      System.err.println(
          "usage: UdpPing echo --bind ADDR:PORT | UdpPing client --target ADDR:PORT [--bind ADDR]"
              + " [--rate N] [--duration S] [--warmup S] [--grace S] [--size BYTES]");
      System.exit(2);
    }
  }

  static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing command");
    }
    switch (args[0]) {
      case "echo" -> {
        Map<String, String> o = options(args, ECHO_OPTIONS);
        try (EchoServer server = new EchoServer(socketAddress(required(o, "--bind")))) {
          System.err.println("udpping: echoing on port " + server.port());
          server.run();
        }
        return 0;
      }
      case "client" -> {
        Map<String, String> o = options(args, CLIENT_OPTIONS);
        String bind = o.get("--bind");
        PingClient.Options options =
            new PingClient.Options(
                socketAddress(required(o, "--target")),
                bind == null ? null : new InetSocketAddress(InetAddress.getByName(bind), 0),
                Integer.parseInt(o.getOrDefault("--rate", "1000")),
                nanos(o.getOrDefault("--duration", "10")),
                nanos(o.getOrDefault("--warmup", "2")),
                nanos(o.getOrDefault("--grace", "1")),
                Integer.parseInt(o.getOrDefault("--size", "36")));
        System.out.println(new PingClient(options).run().toJson());
        return 0;
      }
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static Map<String, String> options(String[] args, Set<String> allowed) {
    Map<String, String> out = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!allowed.contains(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + " for " + args[0]);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      out.put(args[i], args[i + 1]);
    }
    return out;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  /** {@code 10.2.0.2:7007} or {@code [fd00:2::2]:7007}. */
  static InetSocketAddress socketAddress(String text) throws UnknownHostException {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("address " + text + " is not ADDR:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("IPv6 address " + text + " needs brackets: [ADDR]:PORT");
    }
    int port = Integer.parseInt(text.substring(colon + 1));
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " out of range");
    }
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  private static long nanos(String seconds) {
    return Math.round(Double.parseDouble(seconds) * 1e9);
  }
}
