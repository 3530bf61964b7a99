package dev.vpngw.appliance.er;

import dev.vpngw.appliance.config.GatewayConfig;
import dev.vpngw.appliance.config.GatewayConfig.ExpressRouteCircuit;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway of type ExpressRoute: no tunnels, no IKE, no dataplane; one {@link CircuitMonitor} per
 * circuit, each owning the kernel routes of its circuit's prefixes in this namespace. It runs
 * beside a VPN gateway on the same virtual network (the coexistence of the cloud's two gateways):
 * both put routes for the on-premises prefixes into the kernel, the circuit's preferred, so the VPN
 * carries the traffic exactly while the circuit is down.
 */
public final class ExpressRouteGateway implements AutoCloseable {
  private final List<CircuitMonitor> monitors;

  private ExpressRouteGateway(List<CircuitMonitor> monitors) {
    this.monitors = monitors;
  }

  /** Starts monitoring every circuit of {@code config}; events go to {@code log}. */
  public static ExpressRouteGateway start(GatewayConfig config, PrintStream log)
      throws IOException {
    List<CircuitMonitor> started = new ArrayList<>();
    try {
      for (ExpressRouteCircuit c : config.expressRouteCircuits()) {
        started.add(CircuitMonitor.start(c, log));
      }
    } catch (IOException | RuntimeException e) {
      started.forEach(CircuitMonitor::close);
      throw e;
    }
    return new ExpressRouteGateway(List.copyOf(started));
  }

  /** Stops every monitor and withdraws the circuits' routes. */
  @Override
  public void close() {
    monitors.forEach(CircuitMonitor::close);
  }
}
