package dev.vpngw.ikev2;

import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * The IKE thread's agent: each duty cycle drains operator commands, polls the datagram sources
 * (port 500 and the dataplane's port-4500 control ring) and runs the daemon's timers. All IKE state
 * is touched from here only; other threads reach it with {@link #command}.
 */
public final class IkeConductor implements Agent {
  private static final int POLL_LIMIT = 16;

  private final IkeDaemon daemon;
  private final List<DatagramSource> sources;
  private final Queue<Consumer<IkeDaemon>> commands = new ManyToOneConcurrentLinkedQueue<>();

  /** An agent running {@code daemon} on datagrams from {@code sources}. */
  public IkeConductor(IkeDaemon daemon, List<DatagramSource> sources) {
    this.daemon = daemon;
    this.sources = List.copyOf(sources);
  }

  /** Runs {@code command} on the IKE thread at its next duty cycle (any thread may call). */
  public void command(Consumer<IkeDaemon> command) {
    commands.add(command);
  }

  @Override
  public void onStart() {
    daemon.start();
  }

  @Override
  public int doWork() {
    int work = 0;
    Consumer<IkeDaemon> c;
    while ((c = commands.poll()) != null) {
      c.accept(daemon);
      work++;
    }
    for (DatagramSource s : sources) {
      work += s.poll(daemon::onDatagram, POLL_LIMIT);
    }
    return work + daemon.onTimer();
  }

  @Override
  public String roleName() {
    return "ike";
  }
}
