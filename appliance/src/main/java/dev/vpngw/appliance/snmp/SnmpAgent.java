package dev.vpngw.appliance.snmp;

import dev.vpngw.appliance.config.MonitoringConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.MessageException;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The read-only SNMP agent (SNMP4J): answers GET, GETNEXT and GETBULK over the {@link MibView} of
 * the moment, to SNMPv2c with the configured community and to SNMPv3 USM users at authPriv
 * (HMAC-SHA-256 authentication, RFC 7860; AES-128 privacy, RFC 3826), and sends SNMPv2c
 * notifications: coldStart when it starts, linkUp/linkDown (RFC 2863) when a connection goes up or
 * down. Anything else (SET, SNMPv1, a wrong community, a v3 request below authPriv) gets no data: a
 * wrong community no answer at all, as net-snmp does, a v3 request an authorizationError.
 *
 * <p>SNMP4J runs the responder on its UDP listener thread; each request takes the {@link MibView}
 * its supplier gives (the gateway's is rebuilt from the counters file and the IKE thread at most
 * every 200 ms).
 */
public final class SnmpAgent implements CommandResponder, AutoCloseable {
  /** At most this many bindings in a GETBULK answer, whatever max-repetitions asks for. */
  private static final int MAX_BULK_BINDINGS = 256;

  private final Snmp snmp;
  private final byte[] community;
  private final Set<String> users;
  private final List<InetSocketAddress> trapTargets;
  private final Supplier<NavigableMap<OID, Variable>> mib;
  private final AtomicBoolean reportedFailure = new AtomicBoolean();

  private SnmpAgent(
      Snmp snmp, MonitoringConfig.Snmp config, Supplier<NavigableMap<OID, Variable>> mib) {
    this.snmp = snmp;
    this.community =
        config.community() == null ? null : config.community().getBytes(StandardCharsets.UTF_8);
    Set<String> names = new HashSet<>();
    config.users().forEach(u -> names.add(u.name()));
    this.users = Set.copyOf(names);
    this.trapTargets = config.trapTargets();
    this.mib = mib;
  }

  /**
   * Listens on the configured address and port.
   *
   * @param engineName makes the SNMPv3 engine ID (with SNMP4J's enterprise prefix): the gateway's
   *     name, so it stays the same across restarts
   * @throws IOException naming the address if it cannot listen there
   */
  public static SnmpAgent start(
      MonitoringConfig.Snmp config, String engineName, Supplier<NavigableMap<OID, Variable>> mib)
      throws IOException {
    SecurityProtocols protocols = SecurityProtocols.getInstance();
    protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
    protocols.addPrivacyProtocol(new PrivAES128());
    OctetString engineId = new OctetString(MPv3.createLocalEngineID(new OctetString(engineName)));
    USM usm = new USM(protocols, engineId, 0);
    for (MonitoringConfig.SnmpUser u : config.users()) {
      usm.addUser(
          new UsmUser(
              new OctetString(u.name()),
              AuthHMAC192SHA256.ID,
              new OctetString(u.authPassword()),
              PrivAES128.ID,
              new OctetString(u.privPassword())));
    }
    SecurityModels.getInstance().addSecurityModel(usm);
    MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
    dispatcher.addMessageProcessingModel(new MPv2c());
    dispatcher.addMessageProcessingModel(new MPv3(usm));
    DefaultUdpTransportMapping transport;
    try {
      transport = new DefaultUdpTransportMapping(new UdpAddress(config.address(), config.port()));
    } catch (IOException e) {
      throw new IOException(
          "monitoring.snmp: cannot listen on "
              + config.address().getHostAddress()
              + ":"
              + config.port()
              + " (udp): "
              + e.getMessage(),
          e);
    }
    Snmp snmp = new Snmp(dispatcher, transport);
    SnmpAgent agent = new SnmpAgent(snmp, config, mib);
    snmp.addCommandResponder(agent);
    snmp.listen();
    return agent;
  }

  @Override
  public <A extends Address> void processPdu(CommandResponderEvent<A> event) {
    PDU request = event.getPDU();
    if (request == null) {
      return;
    }
    event.setProcessed(true);
    int model = event.getSecurityModel();
    boolean v3 = model == SecurityModel.SECURITY_MODEL_USM;
    boolean allowed =
        v3
            ? event.getSecurityLevel() == SecurityLevel.AUTH_PRIV
                && users.contains(new String(event.getSecurityName(), StandardCharsets.UTF_8))
            : model == SecurityModel.SECURITY_MODEL_SNMPv2c
                && community != null
                && Arrays.equals(community, event.getSecurityName());
    if (!allowed && !v3) {
      return;
    }
    PDU response = (PDU) request.clone();
    response.setType(PDU.RESPONSE);
    response.setErrorStatus(PDU.noError);
    response.setErrorIndex(0);
    int type = request.getType();
    if (!allowed) {
      response.setErrorStatus(PDU.authorizationError);
    } else if (type == PDU.GET || type == PDU.GETNEXT) {
      NavigableMap<OID, Variable> m = mib.get();
      for (VariableBinding vb : response.getVariableBindings()) {
        if (type == PDU.GET) {
          Variable v = m.get(vb.getOid());
          vb.setVariable(v != null ? v : Null.noSuchObject);
        } else {
          VariableBinding next = next(m, vb.getOid());
          vb.setOid(next.getOid());
          vb.setVariable(next.getVariable());
        }
      }
    } else if (type == PDU.GETBULK) {
      bulk(request, response, mib.get());
    } else {
      // SET and anything else: this agent is read-only.
      response.setErrorStatus(PDU.notWritable);
      response.setErrorIndex(1);
    }
    try {
      event
          .getMessageDispatcher()
          .returnResponsePdu(
              event.getMessageProcessingModel(),
              model,
              event.getSecurityName(),
              event.getSecurityLevel(),
              response,
              event.getMaxSizeResponsePDU(),
              event.getStateReference(),
              new StatusInformation());
    } catch (MessageException e) {
      if (reportedFailure.compareAndSet(false, true)) {
        System.err.println("vpngw: snmp: cannot answer (reported once): " + e.getMessage());
      }
    }
  }

  private static void bulk(PDU request, PDU response, NavigableMap<OID, Variable> m) {
    List<? extends VariableBinding> asked = request.getVariableBindings();
    List<VariableBinding> answer = new ArrayList<>();
    int nonRepeaters = Math.min(Math.max(0, request.getNonRepeaters()), asked.size());
    int maxRepetitions = Math.max(0, request.getMaxRepetitions());
    for (int i = 0; i < nonRepeaters; i++) {
      answer.add(next(m, asked.get(i).getOid()));
    }
    List<OID> cursors = new ArrayList<>();
    for (int i = nonRepeaters; i < asked.size(); i++) {
      cursors.add(asked.get(i).getOid());
    }
    for (int r = 0; r < maxRepetitions && !cursors.isEmpty(); r++) {
      boolean more = false;
      for (int j = 0; j < cursors.size(); j++) {
        VariableBinding vb = next(m, cursors.get(j));
        answer.add(vb);
        cursors.set(j, vb.getOid());
        more |= vb.getVariable() != Null.endOfMibView;
      }
      if (!more || answer.size() >= MAX_BULK_BINDINGS) {
        break;
      }
    }
    // Not PDU.clear(): that also zeroes the request id the manager matches the answer by.
    response.setVariableBindings(answer);
  }

  private static VariableBinding next(NavigableMap<OID, Variable> m, OID oid) {
    Map.Entry<OID, Variable> e = m.higherEntry(oid);
    return e == null
        ? new VariableBinding(oid, Null.endOfMibView)
        : new VariableBinding(e.getKey(), e.getValue());
  }

  /**
   * Sends coldStart (RFC 3418 snmpTraps.1) to every trap target: the agent has (re)started, so a
   * manager knows counters and interface indexes started again.
   */
  public void coldStart(long uptimeHundredths) {
    notify(notification(uptimeHundredths, SnmpConstants.coldStart));
  }

  /**
   * Sends linkUp or linkDown for interface {@code ifIndex} to every trap target (SNMPv2c, RFC 3416
   * 4.2.6: sysUpTime.0, snmpTrapOID.0, then ifIndex, ifAdminStatus, ifOperStatus).
   */
  public void linkChanged(int ifIndex, boolean up, long uptimeHundredths) {
    PDU trap = notification(uptimeHundredths, up ? SnmpConstants.linkUp : SnmpConstants.linkDown);
    trap.add(column(MibView.IF_INDEX, ifIndex, ifIndex));
    trap.add(column(MibView.IF_ADMIN_STATUS, ifIndex, MibView.UP));
    trap.add(column(MibView.IF_OPER_STATUS, ifIndex, up ? MibView.UP : MibView.DOWN));
    notify(trap);
  }

  private static PDU notification(long uptimeHundredths, OID trapOid) {
    PDU trap = new PDU();
    trap.setType(PDU.TRAP);
    trap.add(new VariableBinding(SnmpConstants.sysUpTime, new TimeTicks(uptimeHundredths)));
    trap.add(new VariableBinding(SnmpConstants.snmpTrapOID, trapOid));
    return trap;
  }

  private void notify(PDU trap) {
    for (InetSocketAddress to : trapTargets) {
      CommunityTarget<UdpAddress> target =
          new CommunityTarget<>(
              new UdpAddress(to.getAddress(), to.getPort()), new OctetString(community));
      target.setVersion(SnmpConstants.version2c);
      try {
        snmp.send(trap, target);
      } catch (IOException e) {
        System.err.println(
            "vpngw: snmp: cannot send a notification to " + to + ": " + e.getMessage());
      }
    }
  }

  private static VariableBinding column(int column, int ifIndex, int value) {
    return new VariableBinding(
        new OID(MibView.IF_ENTRY).append(column).append(ifIndex), new Integer32(value));
  }

  @Override
  public void close() throws IOException {
    snmp.close();
  }
}
