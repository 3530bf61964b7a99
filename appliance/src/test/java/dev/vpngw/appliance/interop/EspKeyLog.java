package dev.vpngw.appliance.interop;

import dev.vpngw.appliance.interop.EspKey.Direction;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recovers the ESP keys from a charon log written with {@code chd = 4} (the Debian build has no
 * save-keys plugin). For each CHILD_SA the worker thread that handles the exchange logs, in order:
 * {@code CHILD_SA net{2} state change: CREATED => INSTALLING}, {@code using AES_GCM_16 for
 * encryption}, the four derived keys as hex dumps ({@code encryption initiator key => 20 bytes}
 * ...), and {@code adding inbound ESP SA} / {@code SPI 0x..., src A dst B}; later a line {@code
 * CHILD_SA net{2} established with SPIs 09a9eb61_i 70679ee7_o} names both SPIs.
 *
 * <p>Which key belongs to which SPI follows from RFC 7296 section 2.17: the initiator of the
 * exchange that created the CHILD_SA sends with the "initiator" keys. Our role in that exchange is
 * read from the last {@code parsed <EXCHANGE> request|response} line of the same thread before the
 * keys (a parsed response means we sent the request). Keys are bound to the CHILD_SA's unique id,
 * not to the thread: on a rekey the outbound half is often installed, and logged as established,
 * later and by another thread that may still remember keys of an older CHILD_SA (the shell
 * harness's esp-keys.py keeps them per thread and would pick those up).
 */
public final class EspKeyLog {
  private static final Pattern LINE = Pattern.compile("^\\S+ (\\d+)\\[(\\w+)] ?(.*)$");
  private static final Pattern PARSED = Pattern.compile("^parsed (\\S+) (request|response)");
  private static final Pattern INSTALLING =
      Pattern.compile("^CHILD_SA \\S+\\{(\\d+)} state change: \\S+ => INSTALLING");
  private static final Pattern USING = Pattern.compile("^using (\\S+) for (encryption|integrity)");
  private static final Pattern KEY =
      Pattern.compile("^(encryption|integrity) (initiator|responder) key => (\\d+) bytes");
  private static final Pattern HEX = Pattern.compile("^\\s*\\d+: (.*)$");
  private static final Pattern HEX_BYTE = Pattern.compile("[0-9A-Fa-f]{2}");
  private static final Pattern SA_DIRECTION =
      Pattern.compile("^(?:adding|registering) (inbound|outbound) ESP SA");
  private static final Pattern SPI = Pattern.compile("^SPI 0x([0-9a-f]+), src (\\S+) dst (\\S+)");
  private static final Pattern ESTABLISHED =
      Pattern.compile(
          "^(?:(?:inbound|outbound) )?CHILD_SA (\\S+)\\{(\\d+)} established with SPIs"
              + " ([0-9a-f]+)_i ([0-9a-f]+)_o");

  /** Hex dump lines hold 16 bytes as "XX " in their first 48 characters; ASCII follows. */
  private static final int HEX_COLUMNS = 48;

  private EspKeyLog() {}

  /** What one worker thread is in the middle of. */
  private static final class ThreadState {
    boolean initiator;
    Child child;
    String collecting;
    int collectLength;
    StringBuilder collected;
    Direction direction;
  }

  /** Keys and algorithms of one CHILD_SA (by unique id). */
  private static final class Child {
    boolean initiator;
    String encryption = "";
    String integrity = "";
    final Map<String, byte[]> keys = new HashMap<>();

    byte[] key(String kind, Direction direction) {
      // The exchange initiator sends with the initiator keys and receives with the responder's.
      boolean initiatorKeys = (direction == Direction.OUTBOUND) == initiator;
      return keys.getOrDefault(kind + (initiatorKeys ? "-i" : "-r"), new byte[0]);
    }
  }

  /** The keys of every CHILD_SA established in {@code log}, one entry per SPI and direction. */
  public static List<EspKey> parse(String log) {
    Map<String, ThreadState> threads = new HashMap<>();
    Map<Integer, Child> children = new HashMap<>();
    Map<String, String[]> addresses = new HashMap<>();
    Map<String, EspKey> found = new LinkedHashMap<>();
    for (String raw : log.split("\n")) {
      Matcher line = LINE.matcher(raw);
      if (!line.matches()) {
        continue;
      }
      ThreadState t = threads.computeIfAbsent(line.group(1), k -> new ThreadState());
      String msg = line.group(3).strip();
      if (t.collecting != null && collect(t, msg)) {
        continue;
      }
      Matcher m;
      if ((m = PARSED.matcher(msg)).find()) {
        t.initiator = m.group(2).equals("response");
      } else if ((m = INSTALLING.matcher(msg)).find()) {
        t.child = new Child();
        t.child.initiator = t.initiator;
        children.put(Integer.parseInt(m.group(1)), t.child);
      } else if ((m = USING.matcher(msg)).find() && t.child != null) {
        if (m.group(2).equals("encryption")) {
          t.child.encryption = m.group(1);
        } else {
          t.child.integrity = m.group(1);
        }
      } else if ((m = KEY.matcher(msg)).find() && t.child != null) {
        t.collecting = m.group(1) + "-" + m.group(2).charAt(0);
        t.collectLength = Integer.parseInt(m.group(3));
        t.collected = new StringBuilder();
      } else if ((m = SA_DIRECTION.matcher(msg)).find()) {
        t.direction = Direction.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT));
      } else if ((m = SPI.matcher(msg)).find() && t.direction != null) {
        addresses.put(m.group(1) + t.direction, new String[] {m.group(2), m.group(3)});
        t.direction = null;
      } else if ((m = ESTABLISHED.matcher(msg)).find()) {
        Child c = children.get(Integer.parseInt(m.group(2)));
        if (c != null && !c.keys.isEmpty()) {
          add(found, addresses, m.group(1), c, m.group(3), Direction.INBOUND);
          add(found, addresses, m.group(1), c, m.group(4), Direction.OUTBOUND);
        }
      }
    }
    return List.copyOf(found.values());
  }

  /** Takes one hex dump line of the key being collected; false when the dump had ended. */
  private static boolean collect(ThreadState t, String msg) {
    Matcher h = HEX.matcher(msg);
    if (!h.matches()) {
      t.collecting = null;
      return false;
    }
    String bytes = h.group(1);
    Matcher b = HEX_BYTE.matcher(bytes.substring(0, Math.min(HEX_COLUMNS, bytes.length())));
    while (b.find() && t.collected.length() < 2 * t.collectLength) {
      t.collected.append(b.group());
    }
    if (t.collected.length() >= 2 * t.collectLength) {
      t.child.keys.put(t.collecting, HexFormat.of().parseHex(t.collected));
      t.collecting = null;
    }
    return true;
  }

  private static void add(
      Map<String, EspKey> found,
      Map<String, String[]> addresses,
      String name,
      Child c,
      String spi,
      Direction direction) {
    String[] srcDst = addresses.getOrDefault(spi + direction, new String[] {"", ""});
    found.putIfAbsent(
        spi + direction,
        new EspKey(
            name,
            spi,
            direction,
            srcDst[0],
            srcDst[1],
            c.encryption,
            c.integrity,
            c.key("encryption", direction),
            c.key("integrity", direction)));
  }
}
