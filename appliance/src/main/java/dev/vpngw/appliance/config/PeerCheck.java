package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.appliance.config.GatewayConfig.ConnectionType;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.proposal.ProposalMatcher;
import java.security.MessageDigest;

/**
 * Checks the two ends of VNet-to-VNet connections when both gateways are ours, so both
 * configurations are known: each Vnet2Vnet connection of one that points at the other's public
 * address must have a connection back, an IKE and an ESP proposal in common with it (with the same
 * PFS group: a rekey would fail otherwise), the same shared key, and a site whose prefixes cover
 * the other gateway's virtual network. A policy the peer cannot satisfy is refused here, naming our
 * field, instead of failing as NO_PROPOSAL_CHOSEN on the wire.
 */
public final class PeerCheck {
  private PeerCheck() {}

  /** Refuses the first Vnet2Vnet connection of {@code ours} that {@code theirs} cannot carry. */
  public static void check(GatewayConfig ours, GatewayConfig theirs) throws ConfigException {
    for (int i = 0; i < ours.connections().size(); i++) {
      Connection c = ours.connections().get(i);
      if (c.connectionType() != ConnectionType.Vnet2Vnet
          || !c.localNetworkGateway().gatewayAddress().equals(theirs.gateway().publicAddress())) {
        continue;
      }
      String at = "connections[" + i + "]";
      Connection back = null;
      for (Connection d : theirs.connections()) {
        if (d.ike() != null
            && d.localNetworkGateway().gatewayAddress().equals(ours.gateway().publicAddress())) {
          back = d;
        }
      }
      if (back == null) {
        throw new ConfigException(
            at,
            "gateway "
                + theirs.gateway().name()
                + " has no connection back to "
                + ours.gateway().publicAddress().getHostAddress());
      }
      IkeConnectionConfig a = c.ike();
      IkeConnectionConfig b = back.ike();
      if (ProposalMatcher.choose(a.ikeProposals(), b.ikeProposals(), false) == null) {
        throw new ConfigException(
            at + ".ikeProposals",
            "no IKE proposal in common with " + theirs.gateway().name() + "'s " + back.name());
      }
      if (ProposalMatcher.choose(a.espProposals(), b.espProposals(), false) == null) {
        throw new ConfigException(
            at + ".espProposals",
            "no ESP proposal (with its PFS group) in common with "
                + theirs.gateway().name()
                + "'s "
                + back.name());
      }
      if (a.localAuth() instanceof IkeConnectionConfig.Psk pa
          && b.localAuth() instanceof IkeConnectionConfig.Psk pb
          && !MessageDigest.isEqual(pa.secret(), pb.secret())) {
        throw new ConfigException(
            at + ".sharedKey", "differs from " + theirs.gateway().name() + "'s " + back.name());
      }
      for (IpPrefix v : theirs.gateway().vnetPrefixes()) {
        if (c.localNetworkGateway().addressPrefixes().stream()
            .noneMatch(p -> ConfigLoader.contains(p, v))) {
          throw new ConfigException(
              "localNetworkGateways["
                  + ours.localNetworkGateways().indexOf(c.localNetworkGateway())
                  + "].addressPrefixes",
              "do not cover " + v + " of " + theirs.gateway().name() + "'s virtual network");
        }
      }
    }
  }
}
