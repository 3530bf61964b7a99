package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent over real loopback UDP, with a clock advanced by hand and doWork called directly. */
class HaAgentTest {
  static final String KEY = "00112233445566778899aabbccddeeff";
  static final long MS = 1_000_000L;

  @TempDir Path dir;
  long now = 1_000 * MS;
  final List<String> events = new ArrayList<>();
  HaAgent agent;
  DatagramChannel peerHa;
  DatagramChannel peerPublic;
  HeartbeatCodec peerCodec;
  long peerStamp = 1;
  int base;

  @BeforeEach
  void setUp() throws IOException {
    int base = 20_000 + ThreadLocalRandom.current().nextInt(20_000) * 2;
    peerHa = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    peerPublic = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    HaConfig config =
        HaConfig.parse(
            new String[] {
              "--node-id=1",
              "--priority=200",
              "--key-hex=" + KEY,
              "--ha-local=127.0.0.1:" + base,
              "--ha-peer=127.0.0.1:" + ((InetSocketAddress) peerHa.getLocalAddress()).getPort(),
              "--public-local=127.0.0.1:" + (base + 1),
              "--public-peer=127.0.0.1:"
                  + ((InetSocketAddress) peerPublic.getLocalAddress()).getPort(),
              "--public-device=lo",
              "--vip=192.0.2.1/24",
              "--repl-local=127.0.0.1:1",
              "--repl-peer=127.0.0.1:2",
              "--state-dir=" + dir
            });
    EpochStore epochs = EpochStore.file(dir.resolve("epoch"));
    Election election = new Election(1, 200, 100 * MS, 3, 2, epochs, 0, now);
    HaAgent.Listener listener =
        new HaAgent.Listener() {
          @Override
          public void onActive(long epoch) {
            events.add("active " + epoch);
          }

          @Override
          public void onStandby(long epoch, String reason) {
            events.add("standby " + epoch);
          }

          @Override
          public void onFollow(boolean follow) {
            events.add("follow " + follow);
          }

          @Override
          public void onActiveTick(long intervals) {}
        };
    agent =
        new HaAgent(config, election, HaAgent.openChannels(config), listener, () -> 0, () -> now);
    peerCodec = new HeartbeatCodec(java.util.HexFormat.of().parseHex(KEY));
    this.base = base;
  }

  @AfterEach
  void tearDown() throws IOException {
    agent.onClose();
    peerHa.close();
    peerPublic.close();
  }

  ByteBuffer heartbeat(HeartbeatCodec codec, Role role, long epoch) {
    ByteBuffer b = ByteBuffer.allocate(HeartbeatCodec.LENGTH);
    codec.encode(new Heartbeat(Heartbeat.HEARTBEAT, 2, 100, role, epoch, 0, ++peerStamp), b);
    return b.flip();
  }

  void sendToAgent(ByteBuffer datagram, int path) throws IOException {
    DatagramChannel from = path == 0 ? peerHa : peerPublic;
    from.send(datagram.duplicate(), new InetSocketAddress("127.0.0.1", base + path));
  }

  /** Runs the duty cycle a few times: enough to read what loopback has already delivered. */
  void drain() throws IOException {
    for (int i = 0; i < 50; i++) {
      agent.doWork();
    }
  }

  @Test
  void countsAndDropsUnauthenticMalformedAndReplayedHeartbeats() throws IOException {
    ByteBuffer good = heartbeat(peerCodec, Role.STANDBY, 0);
    sendToAgent(good, 0);
    drain();
    assertEquals(1, agent.received());
    sendToAgent(good, 0); // the same datagram again
    HeartbeatCodec stranger = new HeartbeatCodec("a key the pair does not share".getBytes());
    sendToAgent(heartbeat(stranger, Role.ACTIVE, 99), 1);
    sendToAgent(ByteBuffer.wrap(new byte[10]), 1);
    drain();
    assertEquals(1, agent.received());
    assertEquals(1, agent.replayed());
    assertEquals(1, agent.unauthenticated());
    assertEquals(1, agent.malformed());
    assertEquals(
        0, agent.election().epoch(), "an unauthentic active with epoch 99 changed nothing");
  }

  @Test
  void takesOverSendsItsEpochOnBothPathsAndIsFencedByAHigherEpoch() throws IOException {
    sendToAgent(heartbeat(peerCodec, Role.STANDBY, 0), 0);
    drain();
    for (int i = 0; i < 5; i++) {
      now += 100 * MS;
      sendToAgent(heartbeat(peerCodec, Role.STANDBY, 0), 1);
      drain();
    }
    assertEquals(List.of("active 1"), events, "the better node takes over after the hold-down");
    assertEquals(1, EpochStore.file(dir.resolve("epoch")).load());
    for (DatagramChannel peer : List.of(peerHa, peerPublic)) {
      peer.configureBlocking(false);
      ByteBuffer rx = ByteBuffer.allocate(128);
      Heartbeat last = null;
      while (peer.receive(rx.clear()) != null) {
        rx.flip();
        assertEquals(HeartbeatCodec.Verdict.OK, peerCodec.decode(rx));
        last = peerCodec.decoded();
      }
      assertTrue(last != null && last.role() == Role.ACTIVE && last.epoch() == 1, "" + last);
    }
    sendToAgent(heartbeat(peerCodec, Role.ACTIVE, 5), 1);
    drain();
    assertEquals(List.of("active 1", "standby 1", "follow true"), events);
  }
}
