package dev.vpngw.appliance.interop;

import java.util.List;

/**
 * One IKE_SA as strongSwan lists it ({@code swanctl --list-sas}, vici {@code list-sa} event), with
 * its CHILD_SAs. SPIs are the 8-byte IKE SPIs in lower-case hex; {@code localSpi} is ours and
 * {@code remoteSpi} the peer's, whichever side initiated. Algorithms are strongSwan's names, the
 * encryption with its key size ({@code AES_CBC-256}), the integrity empty for AEAD.
 *
 * <p>NAT flags: {@code natLocal} means this charon found itself behind a NAT, {@code natRemote}
 * that the peer is (or pretends to be: kernel-libipsec fakes NAT detection to force UDP
 * encapsulation, so with it {@code natRemote} is set on both sides even without a NAT; only {@code
 * natLocal} and a translated {@code remotePort} tell a real NAT apart), {@code natAny} either.
 *
 * @param name the connection's name in swanctl.conf
 * @param uniqueId charon's unique id of this IKE_SA, which changes on every rekey
 * @param state {@code CONNECTING}, {@code ESTABLISHED}, {@code REKEYING}, {@code DELETING}, ...
 */
public record IkeSaInfo(
    String name,
    int uniqueId,
    int version,
    String state,
    String localHost,
    int localPort,
    String localId,
    String remoteHost,
    int remotePort,
    String remoteId,
    boolean initiator,
    String localSpi,
    String remoteSpi,
    String encryption,
    String integrity,
    String prf,
    String dhGroup,
    boolean natLocal,
    boolean natRemote,
    boolean natAny,
    List<ChildSaInfo> children) {
  public IkeSaInfo {
    children = List.copyOf(children);
  }

  /** True once IKE_AUTH completed (and while no rekey or delete is under way). */
  public boolean established() {
    return "ESTABLISHED".equals(state);
  }

  /** The installed CHILD_SAs of the child configuration {@code child}. */
  public List<ChildSaInfo> installed(String child) {
    return children.stream().filter(c -> c.name().equals(child) && c.installed()).toList();
  }
}
