package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CLI's side of the management API: finds a running gateway's API (the URL and the token it
 * wrote into its run directory, unless given) and sends it JSON requests.
 */
final class ApiClient {
  /** The file in the run directory that holds the API's URL. */
  static final String URL_FILE = "api-url";

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param body the JSON body as a tree, or null when there is none
   */
  record Response(int status, Object body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  ApiClient(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  /**
   * A client for the gateway whose run directory is {@code runDirectory}; {@code api} and {@code
   * tokenFile} override what that directory says.
   */
  static ApiClient locate(Path runDirectory, String api, Path tokenFile) throws IOException {
    String url = api;
    if (url == null) {
      Path f = runDirectory.resolve(URL_FILE);
      if (!Files.exists(f)) {
        throw new IOException(f + " does not exist: is the gateway running with its API on?");
      }
      url = Files.readString(f).strip();
    }
    Path t = tokenFile != null ? tokenFile : runDirectory.resolve("api-token");
    if (!Files.isReadable(t)) {
      throw new IOException("cannot read the API token " + t + " (give --token-file)");
    }
    return new ApiClient(url, Files.readString(t).strip());
  }

  /** The path of one resource of a collection. */
  static String path(String collection, String name) {
    return collection + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  Response get(String path) throws IOException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Response put(String path, Object body) throws IOException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))));
  }

  Response post(String path) throws IOException {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Response delete(String path) throws IOException {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Response send(HttpRequest.Builder b) throws IOException {
    HttpRequest request =
        b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<String> r;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    Object body = null;
    if (!r.body().isBlank()) {
      try {
        body = ConfigLoader.read(r.body());
      } catch (ConfigException e) {
        throw new IOException("the API answered " + r.statusCode() + " with no JSON");
      }
    }
    return new Response(r.statusCode(), body);
  }
}
