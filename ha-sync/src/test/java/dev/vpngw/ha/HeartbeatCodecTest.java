package dev.vpngw.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HeartbeatCodecTest {
  static final byte[] KEY = "0123456789abcdef0123".getBytes();

  @Test
  void roundTrip() {
    HeartbeatCodec codec = new HeartbeatCodec(KEY);
    Heartbeat hb = new Heartbeat(Heartbeat.SWITCHOVER, 7, 150, Role.ACTIVE, 12, 345, 678);
    ByteBuffer b = ByteBuffer.allocate(HeartbeatCodec.LENGTH);
    codec.encode(hb, b);
    b.flip();
    assertEquals(HeartbeatCodec.Verdict.OK, new HeartbeatCodec(KEY).decode(b));
  }

  @Test
  void wrongKeyAndTamperingAreUnauthentic() {
    HeartbeatCodec codec = new HeartbeatCodec(KEY);
    ByteBuffer b = ByteBuffer.allocate(HeartbeatCodec.LENGTH);
    codec.encode(new Heartbeat(Heartbeat.HEARTBEAT, 1, 1, Role.STANDBY, 1, 1, 1), b);
    b.flip();
    HeartbeatCodec other = new HeartbeatCodec("another key of 16 bytes".getBytes());
    assertEquals(HeartbeatCodec.Verdict.UNAUTHENTIC, other.decode(b.duplicate()));
    ByteBuffer tampered = ByteBuffer.allocate(HeartbeatCodec.LENGTH).put(b.duplicate()).flip();
    tampered.put(16, (byte) 9); // epoch
    HeartbeatCodec decoder = new HeartbeatCodec(KEY);
    assertEquals(HeartbeatCodec.Verdict.UNAUTHENTIC, decoder.decode(tampered));
    assertEquals(HeartbeatCodec.Verdict.OK, decoder.decode(b.duplicate()));
    assertEquals(1, decoder.decoded().epoch());
  }

  @Test
  void shortDatagramIsMalformed() {
    assertEquals(
        HeartbeatCodec.Verdict.MALFORMED, new HeartbeatCodec(KEY).decode(ByteBuffer.allocate(71)));
  }

  @Test
  void shortKeyIsRefusedNamingTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> new HeartbeatCodec(new byte[8]));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ha.key"));
  }
}
