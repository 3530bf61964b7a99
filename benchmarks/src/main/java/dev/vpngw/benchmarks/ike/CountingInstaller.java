package dev.vpngw.benchmarks.ike;

import dev.vpngw.ikev2.ChildSaInstaller;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import java.net.InetSocketAddress;

/**
 * The load generator's dataplane: it installs nothing and only counts the commands, so the
 * initiator side of a setup costs what the IKE exchanges cost and nothing more. The responder under
 * test installs its child SAs for real; the load generator never carries traffic on them.
 */
final class CountingInstaller implements ChildSaInstaller {
  private int nextTunnel;
  private long added;
  private long removed;

  @Override
  public int addTunnel(String connection, InetSocketAddress peer, SelectorSet selectors) {
    added++;
    return nextTunnel++;
  }

  @Override
  public void installInbound(int tunnel, SaConfig sa) {
    // counted with its tunnel
  }

  @Override
  public void installOutbound(int tunnel, SaConfig sa) {
    // counted with its tunnel
  }

  @Override
  public void deleteInbound(int spi) {
    // only rekeys delete a single inbound SA, and the load test never rekeys
  }

  @Override
  public void removeTunnel(int tunnel) {
    removed++;
  }

  @Override
  public void updatePeer(int tunnel, InetSocketAddress peer) {
    // Nothing is sent on the child SAs, so where ESP would go does not matter.
  }

  @Override
  public long bytes(int spi) {
    return 0; // no traffic: volume lifetimes never trigger a rekey
  }

  /** Child SA tunnels the daemon created: one per established setup. */
  long added() {
    return added;
  }

  /** Child SA tunnels the daemon removed again: one per deleted or abandoned IKE SA. */
  long removed() {
    return removed;
  }
}
