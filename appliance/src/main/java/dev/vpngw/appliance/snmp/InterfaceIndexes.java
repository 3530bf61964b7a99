package dev.vpngw.appliance.snmp;

import java.util.HashMap;
import java.util.Map;

/**
 * The ifIndex of each connection: given the first time a connection is seen, from 1 upwards, and
 * never given to another one while the agent runs, so removing a connection does not renumber the
 * others and a manager's stored indexes stay valid (RFC 2863 3.1.5: an index stays with its
 * interface until the agent re-initializes, which the coldStart notification tells). A removed
 * connection that comes back gets its old index again. Thread-safe.
 */
public final class InterfaceIndexes {
  private final Map<String, Integer> byName = new HashMap<>();

  /** The ifIndex of connection {@code name}, assigning the next free one if it has none yet. */
  public synchronized int of(String name) {
    return byName.computeIfAbsent(name, n -> byName.size() + 1);
  }
}
