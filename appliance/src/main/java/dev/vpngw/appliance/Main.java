package dev.vpngw.appliance;

import dev.vpngw.appliance.capture.CaptureCommand;
import dev.vpngw.appliance.events.EventsCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gateway} command: one appliance process per gateway VM. Subcommands grow with the
 * product: running it, its status, the crypto self-test, and the resource verbs ({@code
 * vnet-gateway}, {@code local-gateway}, {@code vpn-connection}) that change a running gateway
 * through its management API.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    version = "vpngw 0.1.0",
    description = "A user-space IPsec VPN gateway appliance.",
    subcommands = {
      RunCommand.class,
      StatusCommand.class,
      EventsCommand.class,
      CaptureCommand.class,
      SelfTestCommand.class,
      ProbeCommand.class,
      VnetGatewayCommand.class,
      LocalGatewayCommand.class,
      VpnConnectionCommand.class,
      ValidateCommand.class,
      HaCommand.class
    })
public final class Main implements Callable<Integer> {
  /** Runs one subcommand and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }
}
