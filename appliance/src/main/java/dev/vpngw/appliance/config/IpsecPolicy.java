package dev.vpngw.appliance.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A connection's custom IPsec/IKE policy in the cloud's terms ({@code ipsecPolicies}: one policy of
 * eight fields, as Azure's), turned into one IKE and one ESP proposal in strongSwan syntax. The
 * cloud's consistency rules are checked here, since a policy that breaks them is one no peer can
 * satisfy: GCM as IPsec encryption needs the same GCM as its integrity (and nothing else may claim
 * GCM integrity), IKE needs a DH group, lifetimes have the cloud's minimums.
 *
 * @param ikeProposal the IKE proposal, e.g. {@code aes256-sha256-modp2048}
 * @param espProposal the ESP proposal, e.g. {@code aes256gcm16-ecp384} (a group is the PFS group)
 * @param lifetime the child SA lifetime ({@code saLifeTimeSeconds})
 * @param kilobytes the child SA volume lifetime ({@code saDataSizeKilobytes})
 */
record IpsecPolicy(String ikeProposal, String espProposal, Duration lifetime, long kilobytes) {
  private static final Set<String> FIELDS =
      Set.of(
          "saLifeTimeSeconds",
          "saDataSizeKilobytes",
          "ipsecEncryption",
          "ipsecIntegrity",
          "ikeEncryption",
          "ikeIntegrity",
          "dhGroup",
          "pfsGroup");

  private static final Map<String, String> IKE_ENCRYPTION = new LinkedHashMap<>();
  private static final Map<String, String> IKE_INTEGRITY = new LinkedHashMap<>();
  private static final Map<String, String> DH_GROUP = new LinkedHashMap<>();
  private static final Map<String, String> IPSEC_ENCRYPTION = new LinkedHashMap<>();
  private static final Map<String, String> IPSEC_INTEGRITY = new LinkedHashMap<>();
  private static final Map<String, String> PFS_GROUP = new LinkedHashMap<>();

  /** The cloud's values this gateway has no transform for (weak or unimplemented). */
  private static final Set<String> UNSUPPORTED =
      Set.of("DES", "AES192", "GCMAES192", "MD5", "DHGroup1", "PFS1", "PFSMM", "None");

  static {
    IKE_ENCRYPTION.put("DES3", "3des");
    IKE_ENCRYPTION.put("AES128", "aes128");
    IKE_ENCRYPTION.put("AES256", "aes256");
    IKE_ENCRYPTION.put("GCMAES128", "aes128gcm16");
    IKE_ENCRYPTION.put("GCMAES256", "aes256gcm16");
    IKE_INTEGRITY.put("SHA1", "sha1");
    IKE_INTEGRITY.put("SHA256", "sha256");
    IKE_INTEGRITY.put("SHA384", "sha384");
    DH_GROUP.put("DHGroup2", "modp1024");
    DH_GROUP.put("DHGroup14", "modp2048");
    DH_GROUP.put("DHGroup2048", "modp2048");
    DH_GROUP.put("DHGroup24", "modp2048s256");
    DH_GROUP.put("ECP256", "ecp256");
    DH_GROUP.put("ECP384", "ecp384");
    IPSEC_ENCRYPTION.put("DES3", "3des");
    IPSEC_ENCRYPTION.put("AES128", "aes128");
    IPSEC_ENCRYPTION.put("AES256", "aes256");
    IPSEC_ENCRYPTION.put("GCMAES128", "aes128gcm16");
    IPSEC_ENCRYPTION.put("GCMAES256", "aes256gcm16");
    IPSEC_INTEGRITY.put("SHA1", "sha1");
    IPSEC_INTEGRITY.put("SHA256", "sha256");
    IPSEC_INTEGRITY.put("GCMAES128", "");
    IPSEC_INTEGRITY.put("GCMAES256", "");
    PFS_GROUP.put("None", "");
    PFS_GROUP.put("PFS2", "modp1024");
    PFS_GROUP.put("PFS14", "modp2048");
    PFS_GROUP.put("PFS2048", "modp2048");
    PFS_GROUP.put("PFS24", "modp2048s256");
    PFS_GROUP.put("ECP256", "ecp256");
    PFS_GROUP.put("ECP384", "ecp384");
  }

  /** Reads the one policy of {@code conn.key} (a list of one mapping). */
  static IpsecPolicy load(YamlNode conn, String key) throws ConfigException {
    List<YamlNode> list = conn.nodes(key);
    if (list.size() != 1) {
      throw new ConfigException(
          conn.field(key),
          "exactly one policy per connection (as the cloud's), not " + list.size());
    }
    YamlNode p = list.get(0);
    p.onlyKeys(FIELDS);
    String ikeEnc = value(p, "ikeEncryption", IKE_ENCRYPTION);
    String ikeInt = value(p, "ikeIntegrity", IKE_INTEGRITY);
    String dh = value(p, "dhGroup", DH_GROUP);
    String ipsecEnc = value(p, "ipsecEncryption", IPSEC_ENCRYPTION);
    String ipsecInt = value(p, "ipsecIntegrity", IPSEC_INTEGRITY);
    String pfs = value(p, "pfsGroup", PFS_GROUP);
    boolean gcm = p.string("ipsecEncryption").startsWith("GCMAES");
    boolean gcmIntegrity = p.string("ipsecIntegrity").startsWith("GCMAES");
    if (gcm != gcmIntegrity
        || (gcm && !p.string("ipsecEncryption").equals(p.string("ipsecIntegrity")))) {
      throw new ConfigException(
          p.field("ipsecIntegrity"),
          gcm
              ? "with ipsecEncryption "
                  + p.string("ipsecEncryption")
                  + " the integrity is the same GCM: "
                  + p.string("ipsecEncryption")
              : "GCM integrity goes only with the same GCM as ipsecEncryption");
    }
    // An AEAD IKE cipher has no integrity transform: the hash names the PRF.
    String ike =
        p.string("ikeEncryption").startsWith("GCMAES")
            ? ikeEnc + "-prf" + ikeInt + "-" + dh
            : ikeEnc + "-" + ikeInt + "-" + dh;
    String esp = ipsecEnc + (ipsecInt.isEmpty() ? "" : "-" + ipsecInt);
    if (!pfs.isEmpty()) {
      esp = esp + "-" + pfs;
    }
    long seconds = p.number("saLifeTimeSeconds", 300, 172_799);
    long kilobytes = p.number("saDataSizeKilobytes", 1024, Integer.MAX_VALUE);
    return new IpsecPolicy(ike, esp, Duration.ofSeconds(seconds), kilobytes);
  }

  private static String value(YamlNode p, String key, Map<String, String> values)
      throws ConfigException {
    String v = p.string(key);
    String mapped = values.get(v);
    if (mapped != null) {
      return mapped;
    }
    if (UNSUPPORTED.contains(v)) {
      throw new ConfigException(p.field(key), v + " is not supported by this gateway");
    }
    throw new ConfigException(p.field(key), "'" + v + "' is not one of " + values.keySet());
  }
}
