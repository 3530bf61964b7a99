package dev.vpngw.appliance.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The endpoint answers GET /metrics in the text format's content type, and nothing else. */
class MetricsServerTest {
  @Test
  void servesMetricsOnlyAtItsPathAndOnlyToGetAndHead() throws Exception {
    try (MetricsServer server =
            MetricsServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> "# HELP x y\n# TYPE x gauge\nx 1\n");
        HttpClient client = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> ok =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode());
      assertEquals("x 1", ok.body().lines().reduce((a, b) -> b).orElseThrow());
      assertTrue(
          ok.headers()
              .firstValue("Content-Type")
              .orElseThrow()
              .startsWith("text/plain; version=0.0.4"));
      assertEquals(
          404,
          client
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          405,
          client
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics"))
                      .POST(HttpRequest.BodyPublishers.ofString("x"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
  }
}
