package dev.vpngw.appliance.snmp;

import dev.vpngw.appliance.monitor.ConnectionTotals;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;

/**
 * One moment of the agent's MIB as a sorted map from instance OID to value, built for each request
 * from a counters sample: the system group (RFC 3418), IF-MIB (RFC 2863) with one interface per
 * connection, and the project's VPNGW-MIB (monitoring/VPNGW-MIB.txt). GET and GETNEXT are lookups
 * in it. Each interface carries its own ifIndex ({@link InterfaceIndexes}), so indexes stay put
 * when connections come and go.
 *
 * <p>IF-MIB's 32-bit counters are the 64-bit ones modulo 2^32, as RFC 2863 3.1.6 allows; managers
 * should read the ifHC* columns.
 */
public final class MibView {
  /** system (1.3.6.1.2.1.1). */
  static final OID SYS_DESCR = new OID("1.3.6.1.2.1.1.1.0");

  static final OID SYS_OBJECT_ID = new OID("1.3.6.1.2.1.1.2.0");
  static final OID SYS_UP_TIME = new OID("1.3.6.1.2.1.1.3.0");
  static final OID SYS_NAME = new OID("1.3.6.1.2.1.1.5.0");

  /** interfaces (1.3.6.1.2.1.2). */
  static final OID IF_NUMBER = new OID("1.3.6.1.2.1.2.1.0");

  /** ifEntry (1.3.6.1.2.1.2.2.1): columns are appended, then the ifIndex. */
  static final OID IF_ENTRY = new OID("1.3.6.1.2.1.2.2.1");

  /** ifXEntry (1.3.6.1.2.1.31.1.1.1). */
  static final OID IF_X_ENTRY = new OID("1.3.6.1.2.1.31.1.1.1");

  static final int IF_INDEX = 1;
  static final int IF_DESCR = 2;
  static final int IF_TYPE = 3;
  static final int IF_MTU = 4;
  static final int IF_SPEED = 5;
  static final int IF_PHYS_ADDRESS = 6;
  static final int IF_ADMIN_STATUS = 7;
  static final int IF_OPER_STATUS = 8;
  static final int IF_LAST_CHANGE = 9;
  static final int IF_IN_OCTETS = 10;
  static final int IF_IN_UCAST_PKTS = 11;
  static final int IF_IN_DISCARDS = 13;
  static final int IF_IN_ERRORS = 14;
  static final int IF_OUT_OCTETS = 16;
  static final int IF_OUT_UCAST_PKTS = 17;
  static final int IF_OUT_DISCARDS = 19;
  static final int IF_OUT_ERRORS = 20;

  static final int IF_NAME = 1;
  static final int IF_HC_IN_OCTETS = 6;
  static final int IF_HC_IN_UCAST_PKTS = 7;
  static final int IF_HC_OUT_OCTETS = 10;
  static final int IF_HC_OUT_UCAST_PKTS = 11;
  static final int IF_HIGH_SPEED = 15;
  static final int IF_ALIAS = 18;

  /** IANAifType tunnel(131). */
  static final int IF_TYPE_TUNNEL = 131;

  /** ifOperStatus / ifAdminStatus up(1), down(2). */
  static final int UP = 1;

  static final int DOWN = 2;

  /**
   * VPNGW-MIB's root: under enterprise 32473, which RFC 5612 reserves for documentation and
   * examples. An operator with a Private Enterprise Number of its own should move it there.
   */
  public static final OID VPNGW = new OID("1.3.6.1.4.1.32473.1");

  /** vpngwAppliance, the sysObjectID. */
  static final OID VPNGW_APPLIANCE = new OID(VPNGW).append(2);

  static final OID VPNGW_IKE_SAS = new OID(VPNGW).append("1.1.0");
  static final OID VPNGW_CHILD_SAS = new OID(VPNGW).append("1.2.0");
  static final OID VPNGW_IKE_FAILURES = new OID(VPNGW).append("1.3.0");
  static final OID VPNGW_HA_ROLE = new OID(VPNGW).append("1.4.0");
  static final OID VPNGW_HA_EPOCH = new OID(VPNGW).append("1.5.0");
  static final OID VPNGW_CONNECTIONS_UP = new OID(VPNGW).append("1.6.0");

  /** vpngwHaRole standalone(1): not one node of an HA pair. */
  static final int HA_STANDALONE = 1;

  /** vpngwHaRole active(2). */
  static final int HA_ACTIVE = 2;

  /** vpngwHaRole standby(3). */
  static final int HA_STANDBY = 3;

  /**
   * A connection as an interface.
   *
   * @param index its ifIndex
   * @param name its name (ifDescr, ifName)
   * @param peer its peer's address (ifAlias)
   * @param mtu the tunnel MTU
   */
  public record Interface(int index, String name, String peer, int mtu) {}

  /**
   * IKE figures for VPNGW-MIB.
   *
   * @param ikeSas IKE SAs now, or -1 if unknown
   * @param childSas child SAs now, or -1 if unknown
   * @param failures IKE exchanges failed so far
   */
  public record Ike(long ikeSas, long childSas, long failures) {}

  private MibView() {}

  /**
   * The MIB at one moment.
   *
   * @param uptimeHundredths sysUpTime: hundredths of a second since the agent started
   * @param lastChange each interface's ifLastChange (sysUpTime at its last up/down), by name
   */
  public static NavigableMap<OID, Variable> build(
      String gatewayName,
      long uptimeHundredths,
      List<Interface> interfaces,
      ConnectionTotals.Sample sample,
      Map<String, Long> lastChange,
      Ike ike) {
    return build(
        gatewayName, uptimeHundredths, interfaces, sample, lastChange, ike, "standalone", 0);
  }

  /**
   * As above, for one node of an HA pair: {@code haRole} is standalone, active or standby
   * (vpngwHaRole 1, 2, 3) and {@code haEpoch} its fencing epoch.
   */
  public static NavigableMap<OID, Variable> build(
      String gatewayName,
      long uptimeHundredths,
      List<Interface> interfaces,
      ConnectionTotals.Sample sample,
      Map<String, Long> lastChange,
      Ike ike,
      String haRole,
      long haEpoch) {
    NavigableMap<OID, Variable> m = new TreeMap<>();
    m.put(
        SYS_DESCR,
        new OctetString(
            "vpngw "
                + dev.vpngw.appliance.monitor.Monitoring.VERSION
                + ": user-space IPsec VPN gateway"));
    m.put(SYS_OBJECT_ID, VPNGW_APPLIANCE);
    m.put(SYS_UP_TIME, new TimeTicks(uptimeHundredths));
    m.put(SYS_NAME, new OctetString(gatewayName));
    m.put(IF_NUMBER, new Integer32(interfaces.size()));
    long up = 0;
    for (Interface f : interfaces) {
      int index = f.index;
      ConnectionTotals.Traffic t = sample.connection(f.name);
      boolean isUp = sample.up(f.name);
      up += isUp ? 1 : 0;
      put(m, IF_ENTRY, IF_INDEX, index, new Integer32(index));
      put(m, IF_ENTRY, IF_DESCR, index, new OctetString(f.name));
      put(m, IF_ENTRY, IF_TYPE, index, new Integer32(IF_TYPE_TUNNEL));
      put(m, IF_ENTRY, IF_MTU, index, new Integer32(f.mtu));
      put(m, IF_ENTRY, IF_SPEED, index, new Gauge32(0));
      put(m, IF_ENTRY, IF_PHYS_ADDRESS, index, new OctetString());
      put(m, IF_ENTRY, IF_ADMIN_STATUS, index, new Integer32(UP));
      put(m, IF_ENTRY, IF_OPER_STATUS, index, new Integer32(isUp ? UP : DOWN));
      put(m, IF_ENTRY, IF_LAST_CHANGE, index, new TimeTicks(lastChange.getOrDefault(f.name, 0L)));
      put(m, IF_ENTRY, IF_IN_OCTETS, index, new Counter32(t.bytesIn() & 0xffff_ffffL));
      put(m, IF_ENTRY, IF_IN_UCAST_PKTS, index, new Counter32(t.packetsIn() & 0xffff_ffffL));
      put(m, IF_ENTRY, IF_IN_DISCARDS, index, new Counter32(0));
      put(m, IF_ENTRY, IF_IN_ERRORS, index, new Counter32(t.dropsIn() & 0xffff_ffffL));
      put(m, IF_ENTRY, IF_OUT_OCTETS, index, new Counter32(t.bytesOut() & 0xffff_ffffL));
      put(m, IF_ENTRY, IF_OUT_UCAST_PKTS, index, new Counter32(t.packetsOut() & 0xffff_ffffL));
      put(m, IF_ENTRY, IF_OUT_DISCARDS, index, new Counter32(0));
      put(m, IF_ENTRY, IF_OUT_ERRORS, index, new Counter32(t.dropsOut() & 0xffff_ffffL));
      put(m, IF_X_ENTRY, IF_NAME, index, new OctetString(f.name));
      put(m, IF_X_ENTRY, IF_HC_IN_OCTETS, index, new Counter64(t.bytesIn()));
      put(m, IF_X_ENTRY, IF_HC_IN_UCAST_PKTS, index, new Counter64(t.packetsIn()));
      put(m, IF_X_ENTRY, IF_HC_OUT_OCTETS, index, new Counter64(t.bytesOut()));
      put(m, IF_X_ENTRY, IF_HC_OUT_UCAST_PKTS, index, new Counter64(t.packetsOut()));
      put(m, IF_X_ENTRY, IF_HIGH_SPEED, index, new Gauge32(0));
      put(m, IF_X_ENTRY, IF_ALIAS, index, new OctetString(f.peer));
    }
    if (ike.ikeSas >= 0) {
      m.put(VPNGW_IKE_SAS, new Gauge32(ike.ikeSas));
      m.put(VPNGW_CHILD_SAS, new Gauge32(ike.childSas));
    }
    m.put(VPNGW_IKE_FAILURES, new Counter64(ike.failures));
    m.put(
        VPNGW_HA_ROLE,
        new Integer32(
            switch (haRole) {
              case "active" -> HA_ACTIVE;
              case "standby" -> HA_STANDBY;
              default -> HA_STANDALONE;
            }));
    m.put(VPNGW_HA_EPOCH, new Gauge32(haEpoch));
    m.put(VPNGW_CONNECTIONS_UP, new Gauge32(up));
    return m;
  }

  private static void put(
      NavigableMap<OID, Variable> m, OID entry, int column, int index, Variable v) {
    m.put(new OID(entry).append(column).append(index), v);
  }
}
