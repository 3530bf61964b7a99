package dev.vpngw.appliance.events;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --since} of {@code gateway events}: an ISO-8601 instant ({@code 2026-11-26T15:00:00Z})
 * or a time ago ({@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}).
 */
public final class Since {
  private static final Pattern AGO = Pattern.compile("(\\d{1,9})([smhd])");

  private Since() {}

  /**
   * The instant {@code text} names, relative ones counted back from {@code now}.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static Instant parse(String text, Instant now) {
    Matcher m = AGO.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(d);
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--since: '"
              + text
              + "' is neither an ISO-8601 instant (2026-11-26T15:00:00Z) nor a time ago (90s, 10m,"
              + " 2h, 1d)");
    }
  }
}
