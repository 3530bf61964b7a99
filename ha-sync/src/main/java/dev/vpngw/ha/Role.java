package dev.vpngw.ha;

/** The role of one node of an active-standby pair. */
public enum Role {
  /** Holds the virtual public address, runs the tunnels and writes the replication journal. */
  ACTIVE,
  /** Follows the active's journal into a warm copy of the state, ready to take over. */
  STANDBY;

  /** The wire code of this role in a heartbeat. */
  public int code() {
    return this == ACTIVE ? 1 : 0;
  }

  /** The role with wire code CODE. */
  public static Role ofCode(int code) {
    return switch (code) {
      case 0 -> STANDBY;
      case 1 -> ACTIVE;
      default -> throw new IllegalArgumentException("role code " + code + " is not 0 or 1");
    };
  }
}
