package dev.vpngw.appliance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gateway vpn-connection create|show|list|update|delete}: the connections, with the cloud
 * CLIs' flags ({@code --local-gateway2}, {@code --shared-key}, {@code --routing-weight}, the custom
 * IPsec policy's eight fields, ...), through the running gateway's management API. The shared key
 * is sent, never shown; an update that does not give one keeps the old one.
 */
@Command(name = "vpn-connection", description = "Connections of a running gateway.")
final class VpnConnectionCommand implements Callable<Integer> {
  private static final String COLLECTION = "/connections";

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  /** The fields a create or update may set. */
  static final class Fields {
    @Option(
        names = {"--local-gateway2", "--local-gateway"},
        description = "The local network gateway (site) it connects to.")
    String localGateway;

    @Option(names = "--connection-type", description = "IPsec (default), Vnet2Vnet.")
    String connectionType;

    @Option(names = "--shared-key", description = "The pre-shared key (prefer --shared-key-file).")
    String sharedKey;

    @Option(names = "--shared-key-file", description = "A file holding the pre-shared key.")
    Path sharedKeyFile;

    @Option(names = "--routing-weight", description = "Preference among connections (0..32000).")
    Integer routingWeight;

    @Option(
        names = "--use-policy-based-traffic-selectors",
        arity = "1",
        description = "true: one child SA per pair of prefixes.")
    Boolean policyBasedSelectors;

    @Option(
        names = "--dpd-timeout",
        description = "Dead peer detection timeout, seconds (9..3600).")
    Integer dpdTimeout;

    @Option(names = "--connection-mode", description = "Default, InitiatorOnly or ResponderOnly.")
    String connectionMode;

    @Option(names = "--ike-version", description = "IKEv2 (IKEv1 is not supported yet).")
    String ikeVersion;

    @Option(names = "--encapsulation", description = "udp (ESP in UDP 4500, default) or esp.")
    String encapsulation;

    @Option(
        names = "--ike-encryption",
        description = "Custom policy: DES3, AES128, AES256, GCMAES128, GCMAES256.")
    String ikeEncryption;

    @Option(names = "--ike-integrity", description = "Custom policy: SHA1, SHA256, SHA384.")
    String ikeIntegrity;

    @Option(
        names = "--dh-group",
        description = "Custom policy: DHGroup2, DHGroup14, DHGroup24, ECP256, ECP384, ...")
    String dhGroup;

    @Option(
        names = "--ipsec-encryption",
        description = "Custom policy: AES128, AES256, GCMAES128, GCMAES256, DES3.")
    String ipsecEncryption;

    @Option(
        names = "--ipsec-integrity",
        description = "Custom policy: SHA1, SHA256, GCMAES128, GCMAES256.")
    String ipsecIntegrity;

    @Option(
        names = "--pfs-group",
        description = "Custom policy: None, PFS2, PFS14, PFS24, ECP256, ECP384, ...")
    String pfsGroup;

    @Option(names = "--sa-lifetime", description = "Custom policy: child SA lifetime, seconds.")
    Long saLifetime;

    @Option(names = "--sa-max-size", description = "Custom policy: child SA lifetime, kilobytes.")
    Long saMaxSize;

    void applyTo(Map<String, Object> r) {
      put(r, "localNetworkGateway", localGateway);
      put(r, "connectionType", connectionType);
      put(r, "routingWeight", routingWeight);
      put(r, "usePolicyBasedTrafficSelectors", policyBasedSelectors);
      put(r, "dpdTimeoutSeconds", dpdTimeout);
      put(r, "connectionMode", connectionMode);
      put(r, "ikeVersion", ikeVersion);
      put(r, "encapsulation", encapsulation);
      if (sharedKeyFile != null) {
        try {
          r.put("sharedKey", Files.readString(sharedKeyFile).strip());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      put(r, "sharedKey", sharedKey);
      Map<String, Object> policy = new LinkedHashMap<>();
      put(policy, "saLifeTimeSeconds", saLifetime);
      put(policy, "saDataSizeKilobytes", saMaxSize);
      put(policy, "ipsecEncryption", ipsecEncryption);
      put(policy, "ipsecIntegrity", ipsecIntegrity);
      put(policy, "ikeEncryption", ikeEncryption);
      put(policy, "ikeIntegrity", ikeIntegrity);
      put(policy, "dhGroup", dhGroup);
      put(policy, "pfsGroup", pfsGroup);
      if (!policy.isEmpty()) {
        if (r.get("ipsecPolicies") instanceof List<?> l
            && !l.isEmpty()
            && l.get(0) instanceof Map<?, ?> old) {
          Map<String, Object> merged = new LinkedHashMap<>();
          old.forEach((k, v) -> merged.put(String.valueOf(k), v));
          merged.putAll(policy);
          policy = merged;
        }
        r.put("ipsecPolicies", List.of(policy));
      }
    }

    private static void put(Map<String, Object> r, String key, Object value) {
      if (value != null) {
        r.put(key, value);
      }
    }
  }

  @Command(name = "create", description = "Create a connection.")
  int create(@Mixin ApiOptions o, @Mixin ResourceName id, @Mixin Fields f) {
    if (f.localGateway == null) {
      System.err.println("vpngw: --local-gateway2 is required");
      return 2;
    }
    return ResourceCli.put(o, COLLECTION, id.name, true, f::applyTo);
  }

  @Command(name = "update", description = "Change a connection (it restarts; the others do not).")
  int update(@Mixin ApiOptions o, @Mixin ResourceName id, @Mixin Fields f) {
    return ResourceCli.put(o, COLLECTION, id.name, false, f::applyTo);
  }

  @Command(name = "show", description = "Show a connection (never its shared key).")
  int show(@Mixin ApiOptions o, @Mixin ResourceName id) {
    return ResourceCli.show(o, COLLECTION, id.name);
  }

  @Command(name = "list", description = "List the connections.")
  int list(@Mixin ApiOptions o) {
    return ResourceCli.list(
        o,
        COLLECTION,
        List.of("NAME", "LOCAL GATEWAY", "TYPE", "KEYS", "ROUTING WEIGHT", "MODE"),
        r ->
            List.of(
                ResourceCli.text(r.get("name")),
                ResourceCli.text(r.get("localNetworkGateway")),
                r.get("connectionType") == null
                    ? "IPsec"
                    : ResourceCli.text(r.get("connectionType")),
                r.containsKey("manualKeys")
                    ? "manual"
                    : r.get("ike") instanceof Map<?, ?> ike && ike.containsKey("certificate")
                        ? "certificate"
                        : "shared key",
                r.get("routingWeight") == null ? "0" : ResourceCli.text(r.get("routingWeight")),
                r.get("connectionMode") == null
                    ? "Default"
                    : ResourceCli.text(r.get("connectionMode"))));
  }

  @Command(name = "delete", description = "Delete a connection (its peer is told).")
  int delete(@Mixin ApiOptions o, @Mixin ResourceName id) {
    return ResourceCli.delete(o, COLLECTION, id.name);
  }
}
