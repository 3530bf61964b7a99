package dev.vpngw.appliance.interop;

import java.util.List;

/**
 * One CHILD_SA as strongSwan lists it ({@code swanctl --list-sas}, vici {@code list-sa} event,
 * section {@code child-sas}). SPIs are lower-case hex without {@code 0x}, as swanctl prints them;
 * algorithms are strongSwan's names, the encryption with its key size as swanctl shows it ({@code
 * AES_GCM_16-128}); the integrity algorithm is empty for AEAD and the DH group empty without PFS.
 *
 * @param name the child configuration's name ({@code net}), not the numbered section name
 * @param uniqueId charon's unique id of this CHILD_SA, which changes on every rekey
 * @param state {@code INSTALLED}, {@code REKEYING}, {@code REKEYED}, {@code DELETING}, ...
 * @param mode {@code TUNNEL} or {@code TRANSPORT}
 * @param encap whether ESP is UDP-encapsulated (always, with kernel-libipsec)
 * @param localTs the local traffic selectors, like {@code 10.1.0.0/24}
 */
public record ChildSaInfo(
    String name,
    int uniqueId,
    String state,
    String mode,
    boolean encap,
    String spiIn,
    String spiOut,
    String encryption,
    String integrity,
    String dhGroup,
    long bytesIn,
    long bytesOut,
    long packetsIn,
    long packetsOut,
    List<String> localTs,
    List<String> remoteTs) {
  public ChildSaInfo {
    localTs = List.copyOf(localTs);
    remoteTs = List.copyOf(remoteTs);
  }

  /** True once both halves are in the kernel (here: in libipsec) and carry traffic. */
  public boolean installed() {
    return "INSTALLED".equals(state);
  }
}
