package dev.vpngw.ikev2;

import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.ikev2.task.TaskManager;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's side of HA replication (issue 6): remembers what it last reported to its {@link
 * IkeStateListener} and reports what changed since. Used by {@link IkeDaemon} on the IKE thread.
 */
final class IkeStatePublisher {
  private IkeStateListener stateListener = IkeStateListener.NONE;
  private final Map<IkeSa, Published> published = new LinkedHashMap<>();
  private final Map<Integer, IkeSa> publishedChildren = new HashMap<>();
  private final Map<Integer, ChildSa> publishedChildSas = new HashMap<>();

  /** Reports to LISTENER from now on, starting from nothing reported. */
  void listener(IkeStateListener listener) {
    stateListener = listener;
    published.clear();
    publishedChildren.clear();
    publishedChildSas.clear();
  }

  IkeStateListener listener() {
    return stateListener;
  }

  /** What was last reported of an IKE SA. */
  private record Published(
      long initiatorSpi,
      long responderSpi,
      InetSocketAddress peer,
      int localPort,
      boolean natLocal,
      boolean natRemote,
      int nextRequestId,
      boolean requestInFlight,
      int expectedRequestId) {}

  /**
   * Reports what changed since the last call: IKE SAs added or changed, then child SAs added or
   * moved (an IKE rekey moves them to the successor), then child SAs gone, then IKE SAs gone. Costs
   * a pass over the IKE SAs, only with a listener.
   */
  void publish(Map<IkeSa, TaskManager> managers) {
    if (stateListener == IkeStateListener.NONE) {
      return;
    }
    Set<Integer> live = new HashSet<>();
    for (Map.Entry<IkeSa, TaskManager> e : managers.entrySet()) {
      IkeSa sa = e.getKey();
      if (sa.state() == IkeSaState.CONNECTING || sa.state() == IkeSaState.DESTROYED) {
        continue;
      }
      TaskManager m = e.getValue();
      Published now =
          new Published(
              sa.initiatorSpi(),
              sa.responderSpi(),
              sa.peer(),
              sa.localPort(),
              sa.natLocal(),
              sa.natRemote(),
              m.nextRequestId(),
              m.requestInFlight(),
              m.expectedRequestId());
      Published before = published.put(sa, now);
      if (!now.equals(before)) {
        stateListener.ikeSaChanged(
            sa,
            before == null,
            now.nextRequestId(),
            now.requestInFlight(),
            now.expectedRequestId());
      }
      for (ChildSa c : sa.children()) {
        live.add(c.inboundSpi());
        if (publishedChildren.get(c.inboundSpi()) != sa) {
          publishedChildren.put(c.inboundSpi(), sa);
          publishedChildSas.put(c.inboundSpi(), c);
          stateListener.childSaAdded(sa, c);
        }
      }
    }
    for (var it = publishedChildren.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, IkeSa> e = it.next();
      if (!live.contains(e.getKey())) {
        it.remove();
        stateListener.childSaDeleted(e.getValue(), publishedChildSas.remove(e.getKey()));
      }
    }
    for (var it = published.keySet().iterator(); it.hasNext(); ) {
      IkeSa sa = it.next();
      if (sa.state() == IkeSaState.DESTROYED || !managers.containsKey(sa)) {
        it.remove();
        stateListener.ikeSaDeleted(sa);
      }
    }
  }
}
