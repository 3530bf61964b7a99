package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.Interop.field;
import static dev.vpngw.appliance.interop.Interop.why;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpngw.counters.CountersFile;
import dev.vpngw.esp.DropReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What our gateway says about its child SAs, next to what charon lists: the child SA pairs in our
 * IKE log, the per-SA counters of {@code gateway status --json}, the drops in the counters file,
 * and the wait until both sides hold the same pairs. Our gateway's run directory is {@code
 * dir/run}, as the interop tests' configurations put it.
 */
final class OurSide {
  static final Duration SETTLE = Duration.ofSeconds(30);

  private OurSide() {}

  /** One child SA pair as our log has it: installed and not deleted since. */
  record OurChild(String spiIn, String spiOut, String localTs, String remoteTs, String line) {}

  /**
   * Our child SAs now: every {@code child_sa_installed} whose inbound SPI no {@code
   * child_sa_deleted} names, in the order installed.
   */
  static List<OurChild> ourChildren(GatewayProcess ours) {
    Set<String> deleted =
        ours.events("child_sa_deleted").stream()
            .map(l -> field(l, "spi_in"))
            .collect(Collectors.toSet());
    return ours.events("child_sa_installed").stream()
        .filter(l -> !deleted.contains(field(l, "spi_in")))
        .map(
            l ->
                new OurChild(
                    field(l, "spi_in"),
                    field(l, "spi_out"),
                    field(l, "local_ts"),
                    field(l, "remote_ts"),
                    l))
        .toList();
  }

  /**
   * Both sides hold exactly {@code count} child SA pairs of charon's connection {@code s2s}, all
   * under one IKE SA, installed, and pairwise matching: our inbound SPI is charon's outbound SPI
   * and the other way round.
   */
  static boolean samePairs(GatewayProcess ours, List<IkeSaInfo> sas, int count) {
    List<IkeSaInfo> mine = sas.stream().filter(s -> s.name().equals("s2s")).toList();
    if (mine.size() != 1 || !mine.get(0).established()) {
      return false;
    }
    List<ChildSaInfo> theirs = mine.get(0).children();
    List<OurChild> ourPairs = ourChildren(ours);
    if (theirs.size() != count || ourPairs.size() != count) {
      return false;
    }
    for (ChildSaInfo c : theirs) {
      if (!c.installed()
          || ourPairs.stream()
              .noneMatch(o -> o.spiIn().equals(c.spiOut()) && o.spiOut().equals(c.spiIn()))) {
        return false;
      }
    }
    return true;
  }

  /** Waits until {@link #samePairs} holds; fails with both sides' views otherwise. */
  static void awaitPairs(GatewayProcess ours, StrongSwan peer, int count) {
    Shell.await(
        SETTLE,
        () -> {
          try {
            return samePairs(ours, peer.listSas(), count);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        () -> {
          try {
            return "not exactly "
                + count
                + " matching child SA pair(s); charon: "
                + peer.listSas()
                + "\nours: "
                + ourChildren(ours)
                + why(ours, peer);
          } catch (IOException e) {
            return e.toString();
          }
        });
  }

  private static final Pattern STATUS_SA =
      Pattern.compile(
          "\\{\"spi\":\"0x([0-9a-f]{8})\",\"direction\":\"(in|out)\",\"connectionId\":\\d+,"
              + "\"description\":\"(?:[^\"\\\\]|\\\\.)*\",\"packets\":(\\d+)");

  /** Packets per outbound SPI (lower-case hex) as {@code gateway status --json} reports them. */
  static Map<String, Long> outboundPackets(Path dir) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m = STATUS_SA.matcher(GatewayProcess.statusJson(dir.resolve("run/counters.dat")));
    while (m.find()) {
      if (m.group(2).equals("out")) {
        out.put(m.group(1), Long.parseLong(m.group(3)));
      }
    }
    return out;
  }

  /** Our gateway's drops by reason, from its counters file. */
  static SortedMap<Integer, Long> drops(Path dir) throws IOException {
    try (var counters = CountersFile.openReadOnly(dir.resolve("run/counters.dat"))) {
      return counters.snapshot().dropsByReason();
    }
  }

  /** Fails if our gateway dropped ESP for an unknown SPI, a failed ICV or a replay. */
  static void assertNoEspDrops(Path dir) throws IOException {
    SortedMap<Integer, Long> drops = drops(dir);
    for (DropReason reason :
        List.of(
            DropReason.UNKNOWN_SPI, DropReason.REPLAYED, DropReason.TOO_OLD, DropReason.BAD_ICV)) {
      assertEquals(0L, drops.getOrDefault(reason.id(), 0L), reason + " " + drops);
    }
  }

  /** Charon's log lines that contain {@code part}. */
  static List<String> charonSaid(StrongSwan peer, String part) {
    return peer.log().lines().filter(l -> l.contains(part)).toList();
  }
}
