package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.ModelValidationTestAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The management API and the CLI verbs over a real HTTP server, in front of a recording stand-in
 * for the running gateway: authentication, every kind of refusal with its field and reason, write-
 * only shared keys, the persisted file, and that a refused or failed change leaves everything as it
 * was. The live gateway behind it is {@code ResourceApiSystemTest}'s.
 */
class ManagementApiTest {
  @TempDir Path dir;

  /** What the gateway was asked to do, in order; a name in {@code failOn} makes its start fail. */
  final List<String> calls = new ArrayList<>();

  String failOn = "";
  ManagementApi api;
  Reconfigurer reconfigurer;
  ConfigStore store;
  HttpClient http = HttpClient.newHttpClient();
  String base;
  String token;

  @BeforeEach
  void start() throws Exception {
    String yaml =
        ModelValidationTestAccess.twoSites()
            .replace("workers: 1", "workers: 1\n  runDirectory: " + dir);
    ConfigDocument doc = ConfigDocument.of(ConfigLoader.read(yaml));
    GatewayConfig config = doc.validate();
    store = new ConfigStore(dir, ConfigStore.hash(yaml.getBytes(StandardCharsets.UTF_8)));
    Reconfigurer.Host host =
        new Reconfigurer.Host() {
          @Override
          public void start(GatewayConfig.Connection c, GatewayConfig.Gateway g)
              throws IOException {
            calls.add("start " + c.name());
            if (c.name().equals(failOn)) {
              throw new IOException("the dataplane refused " + c.name());
            }
          }

          @Override
          public String refuses(GatewayConfig.Connection c) {
            return c.udpEncapsulation() ? null : "no raw ESP socket (test)";
          }

          @Override
          public void stop(GatewayConfig.Connection c, GatewayConfig.Gateway g) {
            calls.add("stop " + c.name());
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
              GatewayConfig.Gateway gateway)
              throws IOException {
            calls.add("restart " + now.name());
            if (now.name().equals(failOn)) {
              throw new IOException("the dataplane refused " + now.name());
            }
          }
        };
    reconfigurer = new Reconfigurer(host, store, doc, config);
    api =
        ManagementApi.start(
            new GatewayConfig.Api(InetAddress.getLoopbackAddress(), 0, dir.resolve("api-token")),
            reconfigurer,
            dir.resolve(ApiClient.URL_FILE));
    base = Files.readString(dir.resolve(ApiClient.URL_FILE)).strip();
    token = Files.readString(dir.resolve("api-token")).strip();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  record Answer(int status, Object body) {
    Map<?, ?> map() {
      return (Map<?, ?>) body;
    }
  }

  Answer call(String method, String path, String json, String bearer) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? null : ConfigLoader.read(r.body()));
  }

  Answer call(String method, String path, String json) throws Exception {
    return call(method, path, json, token);
  }

  @Test
  void theTokenFileIsPrivateAndRequestsWithoutTheTokenAre401() throws Exception {
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("api-token"))));
    assertTrue(token.length() >= 32, token.length() + " characters");
    Answer none = call("GET", "/connections", null, null);
    assertEquals(401, none.status());
    assertEquals("Authorization", none.map().get("field"));
    assertEquals(401, call("GET", "/connections", null, token + "x").status());
    assertEquals(401, call("GET", "/connections", null, token.substring(1)).status());
    assertEquals(401, call("DELETE", "/connections/to-b", null, "not-the-token").status());
    assertEquals(2, reconfigurer.config().connections().size());
    assertEquals(200, call("GET", "/connections", null).status());
  }

  @Test
  void aNewSiteAndConnectionStartOnlyThatConnectionAndThePeersKeyIsNeverShown() throws Exception {
    Answer site =
        call(
            "PUT",
            "/local-gateways/site-d",
            "{\"gatewayAddress\": \"192.0.2.4\", \"addressPrefixes\": [\"10.4.0.0/16\"]}");
    assertEquals(201, site.status(), String.valueOf(site.body()));
    assertTrue(calls.isEmpty(), "a site alone starts nothing: " + calls);
    Answer conn =
        call(
            "PUT",
            "/connections/to-d",
            "{\"localNetworkGateway\": \"site-d\", \"sharedKey\": \"the-secret-of-d-42\","
                + " \"routingWeight\": 3}");
    assertEquals(201, conn.status(), String.valueOf(conn.body()));
    assertEquals(List.of("start to-d"), calls);
    assertFalse(String.valueOf(conn.body()).contains("the-secret-of-d-42"));
    Answer shown = call("GET", "/connections/to-d", null);
    assertEquals(3, shown.map().get("routingWeight"));
    assertFalse(shown.map().containsKey("sharedKey"));
    Answer list = call("GET", "/connections", null);
    assertEquals(3, ((List<?>) list.map().get("value")).size());
    assertFalse(String.valueOf(list.body()).contains("secret"));
    // Persisted, with the key (the gateway needs it to start again), readable by root only.
    Path applied = dir.resolve(ConfigStore.FILE);
    assertTrue(Files.readString(applied).contains("the-secret-of-d-42"));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(applied)));
    assertEquals(reconfigurer.document(), store.load());
    // An update that leaves the key out keeps it; the connection restarts, the others do not.
    calls.clear();
    Answer update =
        call(
            "PUT",
            "/connections/to-d",
            "{\"localNetworkGateway\": \"site-d\", \"routingWeight\": 4}");
    assertEquals(200, update.status(), String.valueOf(update.body()));
    assertEquals(List.of("restart to-d"), calls);
    assertTrue(Files.readString(applied).contains("the-secret-of-d-42"));
    calls.clear();
    assertEquals(204, call("DELETE", "/connections/to-d", null).status());
    assertEquals(List.of("stop to-d"), calls);
    assertEquals(404, call("GET", "/connections/to-d", null).status());
  }

  @Test
  void aRefusedChangeNamesFieldAndReasonAndChangesNothing() throws Exception {
    ConfigDocument before = reconfigurer.document();
    String persisted = Files.exists(store.file()) ? Files.readString(store.file()) : "";
    Answer overlap =
        call(
            "PUT",
            "/local-gateways/site-d",
            "{\"gatewayAddress\": \"192.0.2.4\", \"addressPrefixes\": [\"10.3.128.0/24\"]}");
    assertEquals(400, overlap.status());
    assertEquals("localNetworkGateways[2].addressPrefixes", overlap.map().get("field"));
    assertEquals("10.3.128.0/24 overlaps 10.3.0.0/16 of site-c", overlap.map().get("reason"));
    Answer badRef =
        call(
            "PUT",
            "/connections/to-x",
            "{\"localNetworkGateway\": \"nowhere\", \"sharedKey\": \"k-123456789\"}");
    assertEquals(400, badRef.status());
    assertEquals("connections[2].localNetworkGateway", badRef.map().get("field"));
    Answer restart =
        call("PUT", "/vnet-gateways/gw-a", gatewayJson().replace("192.0.2.1", "192.0.2.100"));
    assertEquals(409, restart.status(), String.valueOf(restart.body()));
    assertEquals("gateway.publicAddress", restart.map().get("field"));
    Answer inUse = call("DELETE", "/local-gateways/site-b", null);
    assertEquals(409, inUse.status());
    assertEquals("connections[0].localNetworkGateway", inUse.map().get("field"));
    assertEquals(409, call("DELETE", "/vnet-gateways/gw-a", null).status());
    assertEquals(
        409,
        call("PUT", "/vnet-gateways/gw-z", gatewayJson().replace("\"name\": \"gw-a\", ", ""))
            .status());
    assertEquals(404, call("DELETE", "/connections/to-x", null).status());
    assertEquals(400, call("PUT", "/connections/to-b", "[1, 2]").status());
    assertEquals(400, call("PUT", "/connections/to-b", "{\"name\": \"other\"}").status());
    assertEquals(405, call("POST", "/connections", "{}").status());
    Answer esp =
        call(
            "PUT",
            "/connections/to-b",
            "{\"localNetworkGateway\": \"site-b\", \"encapsulation\": \"esp\"}");
    assertEquals(409, esp.status(), String.valueOf(esp.body()));
    assertEquals("connections[0].encapsulation", esp.map().get("field"));
    assertTrue(calls.isEmpty(), calls.toString());
    assertEquals(before, reconfigurer.document());
    assertEquals(persisted, Files.exists(store.file()) ? Files.readString(store.file()) : "");
  }

  @Test
  void aSkuChangeIsLiveAndTouchesNoConnection() throws Exception {
    Answer a =
        call("PUT", "/vnet-gateways/gw-a", gatewayJson().replace("}", ", \"sku\": \"VpnGw3\"}"));
    assertEquals(200, a.status(), String.valueOf(a.body()));
    assertEquals("VpnGw3", a.map().get("sku"));
    // The SKU's aggregate bandwidth becomes the dataplane's limit; no connection is touched.
    assertEquals(List.of("bandwidth 1250000000"), calls);
    Answer basic =
        call(
            "PUT",
            "/vnet-gateways/gw-a",
            gatewayJson().replace("}", ", \"vpnType\": \"PolicyBased\"}"));
    assertEquals(400, basic.status());
    assertEquals("connections[1]", basic.map().get("field"));
  }

  @Test
  void aFailedApplyIsUndoneAndTheRunningConfigurationStays() throws Exception {
    ConfigDocument before = reconfigurer.document();
    failOn = "to-c";
    // A new address space restarts every connection: to-b goes through, to-c is refused.
    Answer a =
        call(
            "PUT",
            "/vnet-gateways/gw-a",
            gatewayJson().replace("[\"10.1.0.0/16\"]", "[\"10.1.0.0/16\", \"10.11.0.0/16\"]"));
    assertEquals(500, a.status(), String.valueOf(a.body()));
    assertEquals("(apply)", a.map().get("field"));
    assertTrue(
        String.valueOf(a.map().get("reason")).contains("the dataplane refused to-c"), a.toString());
    // to-b is put back the way it ran; to-c put itself back.
    assertEquals(List.of("restart to-b", "restart to-c", "restart to-b"), calls);
    assertEquals(before, reconfigurer.document());
    assertEquals(before, store.load());
  }

  @Test
  void theCliShowsListsAndRefusesAsTheApiDoes() throws Exception {
    Cli list = cli("vpn-connection", "list", "--run-directory", dir.toString());
    assertEquals(0, list.status, list.err);
    assertTrue(
        list.out
            .lines()
            .anyMatch(l -> l.matches("to-b\\s+site-b\\s+IPsec\\s+shared key\\s+0\\s+Default")),
        list.out);
    Cli create =
        cli(
            "local-gateway",
            "create",
            "--run-directory",
            dir.toString(),
            "--name",
            "site-d",
            "--gateway-ip-address",
            "192.0.2.4",
            "--local-address-prefixes",
            "10.4.0.0/16,10.5.0.0/16");
    assertEquals(0, create.status, create.err);
    assertTrue(create.out.contains("addressPrefixes: 10.4.0.0/16,10.5.0.0/16"), create.out);
    Cli overlap =
        cli(
            "local-gateway",
            "update",
            "--run-directory",
            dir.toString(),
            "--name",
            "site-d",
            "--local-address-prefixes",
            "10.1.2.0/24");
    assertEquals(1, overlap.status);
    assertTrue(
        overlap.err.contains(
            "HTTP 400): localNetworkGateways[2].addressPrefixes: 10.1.2.0/24 overlaps the virtual network"),
        overlap.err);
    Cli conn =
        cli(
            "vpn-connection",
            "create",
            "--run-directory",
            dir.toString(),
            "-n",
            "to-d",
            "--local-gateway2",
            "site-d",
            "--shared-key",
            "cli-secret-123",
            "--routing-weight",
            "9",
            "--json");
    assertEquals(0, conn.status, conn.err);
    assertTrue(conn.out.contains("\"routingWeight\": 9"), conn.out);
    assertFalse(conn.out.contains("cli-secret-123"), conn.out);
    Cli again =
        cli(
            "vpn-connection",
            "create",
            "--run-directory",
            dir.toString(),
            "-n",
            "to-d",
            "--local-gateway2",
            "site-d");
    assertEquals(1, again.status);
    Cli show = cli("vnet-gateway", "show", "--run-directory", dir.toString(), "--name", "gw-a");
    assertEquals(0, show.status, show.err);
    assertTrue(show.out.contains("vnetPrefixes: 10.1.0.0/16"), show.out);
    Cli noToken =
        cli(
            "vpn-connection",
            "list",
            "--api",
            base,
            "--token-file",
            dir.resolve("nothing").toString());
    assertEquals(3, noToken.status);
  }

  record Cli(int status, String out, String err) {}

  static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = new CommandLine(new Main()).execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Cli(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String gatewayJson() {
    return "{\"name\": \"gw-a\", \"publicAddress\": \"192.0.2.1\", \"vnetPrefixes\": [\"10.1.0.0/16\"],"
        + " \"workers\": 1, \"runDirectory\": \""
        + dir
        + "\"}";
  }
}
