package dev.vpngw.appliance.config;

/**
 * A configuration that cannot be applied: names the field (as a path such as {@code
 * connections[0].manualKeys.outbound.key}) and the reason. The running configuration stays as it
 * was.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  /** A refusal of {@code field} for {@code reason}. */
  public ConfigException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The path of the refused field. */
  public String field() {
    return field;
  }

  /** Why it was refused. */
  public String reason() {
    return reason;
  }
}
