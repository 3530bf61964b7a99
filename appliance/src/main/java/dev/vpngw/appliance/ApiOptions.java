package dev.vpngw.appliance;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which running gateway a resource command talks to, and how it prints: the options every {@code
 * vnet-gateway}, {@code local-gateway} and {@code vpn-connection} verb shares.
 */
final class ApiOptions {
  @Option(
      names = "--gateway",
      description = "The gateway's name: its run directory is /run/vpngw/NAME.")
  String gateway;

  @Option(
      names = "--run-directory",
      description = "The gateway's run directory (holds api-url and api-token).")
  Path runDirectory;

  @Option(names = "--api", description = "The API's URL (default: from the run directory).")
  String api;

  @Option(
      names = "--token-file",
      description = "The API token's file (default: api-token in the run directory).")
  Path tokenFile;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  ApiClient client() throws IOException {
    Path dir =
        runDirectory != null
            ? runDirectory
            : gateway != null ? Path.of("/run/vpngw", gateway) : null;
    if (dir == null && (api == null || tokenFile == null)) {
      throw new IOException(
          "say which gateway: --gateway NAME, --run-directory DIR, or --api URL and --token-file"
              + " FILE");
    }
    return ApiClient.locate(dir == null ? Path.of(".") : dir, api, tokenFile);
  }
}
