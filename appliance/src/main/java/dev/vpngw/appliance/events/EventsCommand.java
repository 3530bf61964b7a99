package dev.vpngw.appliance.events;

import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway events}: prints the IKE events of a gateway's journal (the same {@code key=value}
 * lines it logged), oldest first, optionally only one connection's, one event's or those since a
 * time; {@code --follow} keeps printing new ones as the gateway appends them. Reads the journal
 * files only, so it works while the gateway runs and after it stopped.
 */
@Command(name = "events", description = "Show (and follow) a gateway's IKE event journal.")
public final class EventsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MS = 200;

  @Option(
      names = "--journal",
      description = "The journal directory (default: /run/vpngw/<name>/events).")
  Path journal;

  @Option(names = "--name", description = "The gateway's name, for the default journal path.")
  String name;

  @Option(names = "--connection", description = "Only this connection's events.")
  String connection;

  @Option(names = "--event", description = "Only events of this name, e.g. child_sa_installed.")
  String event;

  @Option(
      names = "--since",
      description =
          "Only events at or after this time: 2026-11-26T15:00:00Z, or 90s, 10m, 2h, 1d ago.")
  String since;

  @Option(names = "--follow", description = "Keep printing new events until interrupted.")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    if (journal == null && name == null) {
      System.err.println("vpngw: say which gateway: --name NAME or --journal DIR");
      return 2;
    }
    Instant from;
    try {
      from = since == null ? Instant.MIN : Since.parse(since, Instant.now());
    } catch (IllegalArgumentException e) {
      System.err.println("vpngw: " + e.getMessage());
      return 2;
    }
    Path dir = journal != null ? journal : Path.of("/run/vpngw", name, "events");
    PrintStream out = System.out;
    try (EventJournalReader reader = EventJournalReader.open(dir)) {
      while (true) {
        JournalEntry e = reader.next();
        if (e == null) {
          if (!follow) {
            return 0;
          }
          out.flush();
          Thread.sleep(FOLLOW_POLL_MS);
          continue;
        }
        if (matches(e, from)) {
          out.println(e.line());
        }
      }
    } catch (NoSuchFileException e) {
      System.err.println("vpngw: no event journal at " + dir + ": has the gateway run?");
      return 1;
    }
  }

  private boolean matches(JournalEntry e, Instant from) {
    return !e.time().isBefore(from)
        && (connection == null || connection.equals(e.connection()))
        && (event == null || event.equals(e.event()));
  }
}
