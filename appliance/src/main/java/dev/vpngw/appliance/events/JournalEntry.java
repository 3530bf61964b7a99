package dev.vpngw.appliance.events;

import java.time.Instant;

/**
 * One event as the journal holds it: when, which event, which connection (empty for none) and the
 * whole log line, exactly as the gateway printed it.
 *
 * @param time when it was logged
 * @param event its name, e.g. {@code child_sa_installed}
 * @param connection its connection, or "" for gateway-wide events
 * @param line the {@code key=value} line
 */
public record JournalEntry(Instant time, String event, String connection, String line) {}
