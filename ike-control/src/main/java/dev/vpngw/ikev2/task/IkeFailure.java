package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.message.NotifyType;

/**
 * A task's refusal: the notify the RFC says to answer with (a responder sends it; an initiator only
 * logs it) and a reason for the log, which never holds key material.
 */
public final class IkeFailure extends Exception {
  private final int notifyType;
  private final byte[] notifyData;
  private final boolean fatalForIkeSa;

  /**
   * A failure.
   *
   * @param notifyType the error notify (RFC 7296 3.10.1), 0 for none
   * @param notifyData its data (e.g. the group of INVALID_KE_PAYLOAD)
   * @param fatalForIkeSa whether the IKE SA goes too, or only the child SA in negotiation
   * @param reason why, for the log
   */
  public IkeFailure(int notifyType, byte[] notifyData, boolean fatalForIkeSa, String reason) {
    super(reason, null, false, false);
    this.notifyType = notifyType;
    this.notifyData = notifyData == null ? new byte[0] : notifyData.clone();
    this.fatalForIkeSa = fatalForIkeSa;
  }

  /** A failure that ends the IKE SA. */
  public static IkeFailure fatal(int notifyType, String reason) {
    return new IkeFailure(notifyType, null, true, reason);
  }

  /** A failure of one child SA negotiation; the IKE SA stays. */
  public static IkeFailure child(int notifyType, String reason) {
    return new IkeFailure(notifyType, null, false, reason);
  }

  public int notifyType() {
    return notifyType;
  }

  public byte[] notifyData() {
    return notifyData.clone();
  }

  public boolean fatalForIkeSa() {
    return fatalForIkeSa;
  }

  /** The notify's name, for logs. */
  public String notifyName() {
    return notifyType == 0 ? "none" : NotifyType.name(notifyType);
  }
}
