package dev.vpngw.appliance;

import dev.vpngw.appliance.config.ConfigException;
import dev.vpngw.appliance.config.ConfigLoader;
import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.PeerCheck;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway validate --config FILE [--peer-config FILE]}: checks a configuration without
 * running it; with the configuration of the other end of VNet-to-VNet connections (another of our
 * gateways), also that the two ends can agree ({@link PeerCheck}), both ways.
 */
@Command(name = "validate", description = "Check a configuration (and its VNet-to-VNet peer's).")
final class ValidateCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "The gateway's YAML configuration.")
  Path config;

  @Option(
      names = "--peer-config",
      description =
          "The configuration of the gateway at the other end of its Vnet2Vnet connections.")
  Path peer;

  @Override
  public Integer call() throws Exception {
    String at = config.toString();
    try {
      GatewayConfig ours = ConfigLoader.load(config);
      if (peer != null) {
        at = peer.toString();
        GatewayConfig theirs = ConfigLoader.load(peer);
        at = config.toString();
        PeerCheck.check(ours, theirs);
        at = peer.toString();
        PeerCheck.check(theirs, ours);
      }
    } catch (ConfigException e) {
      System.err.println("vpngw: " + at + ": " + e.getMessage());
      return 2;
    }
    System.out.println("valid");
    return 0;
  }
}
