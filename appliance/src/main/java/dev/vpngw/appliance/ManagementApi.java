package dev.vpngw.appliance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vpngw.appliance.config.ConfigDocument;
import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The management API: HTTP+JSON on the resource model (JDK {@code com.sun.net.httpserver}), bound
 * to loopback unless configured otherwise, every request authenticated with the bearer token.
 * Resources: {@code /vnet-gateways}, {@code /local-gateways}, {@code /connections}; GET lists
 * ({@code {"value": [...]}}) and single resources, PUT creates or replaces one (a left-out shared
 * key keeps the stored one), DELETE removes one. Every change goes through the {@link
 * Reconfigurer}: live, atomic, persisted. Errors are {@code {"field": ..., "reason": ...}} with 400
 * (invalid), 401 (no or wrong token), 404 (no such resource), 405, 409 (conflicts: a restart-only
 * field, a site still in use, the gateway itself) or 500 (the change failed and was undone).
 * Requests run one at a time on the {@code vpngw-api} thread; secrets never leave in a response or
 * a log line.
 */
final class ManagementApi implements AutoCloseable {
  private static final int MAX_BODY = 1 << 20;

  /** The three collections and where each lives in the configuration document. */
  private enum Kind {
    GATEWAYS("/vnet-gateways", null, "virtual network gateway"),
    SITES("/local-gateways", ConfigDocument.SITES, "local network gateway"),
    CONNECTIONS("/connections", ConfigDocument.CONNECTIONS, "connection");

    final String path;
    final String section;
    final String noun;

    Kind(String path, String section, String noun) {
      this.path = path;
      this.section = section;
      this.noun = noun;
    }
  }

  /** A refusal to answer with. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String field;
    final String reason;

    Refusal(int status, String field, String reason) {
      super(field + ": " + reason);
      this.status = status;
      this.field = field;
      this.reason = reason;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final ApiToken token;
  private final Reconfigurer reconfigurer;
  private volatile dev.vpngw.appliance.ha.HaService ha;

  private ManagementApi(
      HttpServer server, ExecutorService executor, ApiToken token, Reconfigurer reconfigurer) {
    this.server = server;
    this.executor = executor;
    this.token = token;
    this.reconfigurer = reconfigurer;
  }

  /**
   * Starts the API and writes its URL to {@code urlFile} for the CLI.
   *
   * @return the running API
   */
  static ManagementApi start(GatewayConfig.Api api, Reconfigurer reconfigurer, Path urlFile)
      throws IOException {
    ApiToken token = ApiToken.loadOrCreate(api.tokenFile());
    HttpServer server = HttpServer.create(new InetSocketAddress(api.address(), api.port()), 16);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "vpngw-api");
              t.setDaemon(true);
              return t;
            });
    ManagementApi m = new ManagementApi(server, executor, token, reconfigurer);
    for (Kind k : Kind.values()) {
      server.createContext(k.path, x -> m.handle(x, k));
    }
    server.createContext("/ha", m::handleHa);
    server.setExecutor(executor);
    server.start();
    String host = api.address().getHostAddress();
    String url =
        "http://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + server.getAddress().getPort();
    Files.writeString(urlFile, url + "\n");
    return m;
  }

  /** Serves {@code /ha} (status) and {@code /ha/switchover} for this HA node. */
  void ha(dev.vpngw.appliance.ha.HaService node) {
    this.ha = node;
  }

  /**
   * {@code GET /ha}: the node's HA status; {@code POST /ha/switchover}: a planned switchover (409
   * unless this node is active).
   */
  private void handleHa(HttpExchange x) {
    String method = x.getRequestMethod();
    String path = x.getRequestURI().getRawPath();
    int status;
    try {
      if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
        x.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        throw new Refusal(401, "Authorization", "a valid bearer token is required");
      }
      dev.vpngw.appliance.ha.HaService node = ha;
      if (node == null) {
        throw new Refusal(404, "ha", "this gateway is not one node of an HA pair");
      }
      if (path.equals("/ha") || path.equals("/ha/")) {
        if (!method.equals("GET")) {
          throw new Refusal(405, "(method)", method + " is not allowed on /ha");
        }
        status = send(x, 200, node.status());
      } else if (path.equals("/ha/switchover")) {
        if (!method.equals("POST")) {
          throw new Refusal(405, "(method)", "use POST on /ha/switchover");
        }
        String answer;
        try {
          answer = node.switchover();
        } catch (IllegalStateException e) {
          throw new Refusal(409, "role", e.getMessage());
        }
        status = send(x, 202, Map.of("result", answer));
      } else {
        throw new Refusal(404, "(path)", "no such resource: " + path);
      }
    } catch (Refusal r) {
      status = r.status;
      send(x, r.status, error(r.field, r.reason));
    } catch (RuntimeException e) {
      status = 500;
      send(x, 500, error("(internal)", e.toString()));
    }
    System.out.println("vpngw api: " + method + " " + path + " " + status);
    x.close();
  }

  /** The port it listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange x, Kind kind) {
    String method = x.getRequestMethod();
    int status;
    try {
      if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
        x.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        throw new Refusal(401, "Authorization", "a valid bearer token is required");
      }
      String rest = x.getRequestURI().getRawPath().substring(kind.path.length());
      String name = null;
      if (!rest.isEmpty() && !rest.equals("/")) {
        if (!rest.startsWith("/") || rest.indexOf('/', 1) >= 0) {
          throw new Refusal(404, "(path)", "no such resource: " + x.getRequestURI().getPath());
        }
        name = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
      }
      status = dispatch(x, kind, method, name);
    } catch (Refusal r) {
      status = r.status;
      send(x, r.status, error(r.field, r.reason));
    } catch (IOException | RuntimeException e) {
      status = 500;
      send(x, 500, error("(internal)", e.toString()));
    }
    System.out.println(
        "vpngw api: " + method + " " + x.getRequestURI().getRawPath() + " " + status);
    x.close();
  }

  private int dispatch(HttpExchange x, Kind kind, String method, String name)
      throws Refusal, IOException {
    ConfigDocument doc = reconfigurer.document();
    switch (method) {
      case "GET" -> {
        if (name == null) {
          List<Object> value = new ArrayList<>();
          for (Map<String, Object> r : list(doc, kind)) {
            value.add(ConfigDocument.redact(r));
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("value", value);
          return send(x, 200, body);
        }
        return send(x, 200, ConfigDocument.redact(find(doc, kind, name)));
      }
      case "PUT" -> {
        requireName(name);
        Map<String, Object> body = body(x);
        Object given = body.get("name");
        if (given != null && !name.equals(String.valueOf(given))) {
          throw new Refusal(400, "name", "'" + given + "' differs from the URL's '" + name + "'");
        }
        body.put("name", name);
        boolean exists;
        ConfigDocument next;
        if (kind == Kind.GATEWAYS) {
          String own = String.valueOf(doc.gateway().get("name"));
          if (!own.equals(name)) {
            throw new Refusal(
                409, "name", "this appliance is the virtual network gateway " + own + " only");
          }
          exists = true;
          next = doc.withGateway(body);
        } else {
          exists = doc.find(kind.section, name) != null;
          next = doc.put(kind.section, name, body);
        }
        apply(next);
        ConfigDocument now = reconfigurer.document();
        return send(x, exists ? 200 : 201, ConfigDocument.redact(find(now, kind, name)));
      }
      case "DELETE" -> {
        requireName(name);
        find(doc, kind, name);
        if (kind == Kind.GATEWAYS) {
          throw new Refusal(
              409, "name", "the gateway itself is not deleted through its API: stop the appliance");
        }
        if (kind == Kind.SITES) {
          List<Map<String, Object>> conns = doc.resources(ConfigDocument.CONNECTIONS);
          for (int i = 0; i < conns.size(); i++) {
            if (name.equals(String.valueOf(conns.get(i).get("localNetworkGateway")))) {
              throw new Refusal(
                  409,
                  "connections[" + i + "].localNetworkGateway",
                  "connection " + conns.get(i).get("name") + " uses " + name + ": delete it first");
            }
          }
        }
        apply(doc.remove(kind.section, name));
        x.sendResponseHeaders(204, -1);
        return 204;
      }
      default -> {
        x.getResponseHeaders().set("Allow", name == null ? "GET" : "GET, PUT, DELETE");
        throw new Refusal(405, "(method)", method + " is not supported here");
      }
    }
  }

  private void apply(ConfigDocument next) throws Refusal {
    try {
      reconfigurer.apply(next);
    } catch (ConfigException e) {
      throw new Refusal(400, e.field(), e.reason());
    } catch (Reconfigurer.RestartNeeded e) {
      throw new Refusal(409, e.field(), e.reason());
    } catch (Reconfigurer.ApplyFailed e) {
      throw new Refusal(500, "(apply)", e.getMessage());
    }
  }

  private static void requireName(String name) throws Refusal {
    if (name == null) {
      throw new Refusal(405, "(method)", "name the resource: .../NAME");
    }
  }

  private static List<Map<String, Object>> list(ConfigDocument doc, Kind kind) {
    return kind == Kind.GATEWAYS ? List.of(doc.gateway()) : doc.resources(kind.section);
  }

  private static Map<String, Object> find(ConfigDocument doc, Kind kind, String name)
      throws Refusal {
    for (Map<String, Object> r : list(doc, kind)) {
      if (name.equals(String.valueOf(r.get("name")))) {
        return r;
      }
    }
    throw new Refusal(404, "name", "no " + kind.noun + " named " + name);
  }

  private static Map<String, Object> body(HttpExchange x) throws Refusal, IOException {
    byte[] bytes;
    try (InputStream in = x.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) {
      throw new Refusal(400, "(body)", "larger than " + MAX_BODY + " bytes");
    }
    Object tree;
    try {
      tree = ConfigLoader.read(new String(bytes, StandardCharsets.UTF_8));
    } catch (ConfigException e) {
      throw new Refusal(400, "(body)", "not valid JSON");
    }
    if (!(tree instanceof Map<?, ?> m)) {
      throw new Refusal(400, "(body)", "must be a JSON object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  private static Map<String, Object> error(String field, String reason) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("reason", reason);
    return e;
  }

  private static int send(HttpExchange x, int status, Object body) {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    try {
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      System.err.println("vpngw api: cannot answer: " + e.getMessage());
    }
    return status;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
