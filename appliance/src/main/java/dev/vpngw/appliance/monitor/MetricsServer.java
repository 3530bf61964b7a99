package dev.vpngw.appliance.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint: {@code GET /metrics} on the JDK's HTTP server, answered by one thread
 * ({@code vpngw-metrics}) that renders a fresh text each time. Anything else is 404 (other paths)
 * or 405 (other methods).
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens on {@code address} and serves what {@code metrics} renders.
   *
   * @throws IOException naming the address if it cannot listen there
   */
  public static MetricsServer start(InetSocketAddress address, Supplier<String> metrics)
      throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException(
          "monitoring.metrics: cannot listen on "
              + address.getAddress().getHostAddress()
              + ":"
              + address.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "vpngw-metrics");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, metrics));
    server.start();
    return new MetricsServer(server, executor);
  }

  private static void handle(HttpExchange exchange, Supplier<String> metrics) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        reply(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics\n", method);
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", method);
      } else {
        String body;
        try {
          body = metrics.get();
        } catch (RuntimeException e) {
          reply(exchange, 500, "text/plain; charset=utf-8", "metrics failed: " + e + "\n", method);
          return;
        }
        reply(exchange, 200, PrometheusText.CONTENT_TYPE, body, method);
      }
    }
  }

  private static void reply(
      HttpExchange exchange, int status, String contentType, String body, String method)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = method.equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The port it listens on (useful when it was asked for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    Monitoring.awaitQuietly(executor);
  }
}
