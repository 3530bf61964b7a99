package dev.vpngw.appliance;

import dev.vpngw.appliance.config.Json;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code gateway ha status|switchover}: one node of an active-standby pair, through its management
 * API. {@code status} prints the node's role, epoch, journal position and replication state; {@code
 * switchover}, on the active node, hands over to the standby once it has applied the journal.
 */
@Command(name = "ha", description = "The active-standby pair (this node's view).")
final class HaCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  @Command(name = "status", description = "Role, epoch, journal and replication of this node.")
  int status(@Mixin ApiOptions o) {
    return ResourceCli.call(
        o,
        c -> {
          ApiClient.Response r = c.get("/ha");
          if (!r.ok()) {
            return refused(r);
          }
          if (o.json) {
            System.out.print(Json.write(r.body()));
          } else if (r.body() instanceof Map<?, ?> m) {
            m.forEach((k, v) -> System.out.printf("%-26s %s%n", k, v));
          }
          return 0;
        });
  }

  @Command(name = "switchover", description = "Hand over to the standby (on the active node).")
  int switchover(@Mixin ApiOptions o) {
    return ResourceCli.call(
        o,
        c -> {
          ApiClient.Response r = c.post("/ha/switchover");
          if (!r.ok()) {
            return refused(r);
          }
          if (r.body() instanceof Map<?, ?> m) {
            System.out.println(m.get("result"));
          }
          return 0;
        });
  }

  private static int refused(ApiClient.Response r) {
    if (r.body() instanceof Map<?, ?> m && m.containsKey("reason")) {
      System.err.println(
          "vpngw: refused (HTTP " + r.status() + "): " + m.get("field") + ": " + m.get("reason"));
    } else {
      System.err.println("vpngw: refused (HTTP " + r.status() + ")");
    }
    return 1;
  }
}
