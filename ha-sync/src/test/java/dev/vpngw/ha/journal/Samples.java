package dev.vpngw.ha.journal;

import dev.vpngw.ha.journal.HaRecord.ChildSa;
import dev.vpngw.ha.journal.HaRecord.Endpoint;
import dev.vpngw.ha.journal.HaRecord.IkeSa;
import dev.vpngw.ha.journal.HaRecord.IkeSaId;
import dev.vpngw.ha.journal.HaRecord.Selector;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/** Records with recognisable key bytes (0xA5...) for the tests. */
final class Samples {
  static final byte KEY_BYTE = (byte) 0xA5;

  private Samples() {}

  static byte[] key(int n) {
    byte[] k = new byte[n];
    Arrays.fill(k, KEY_BYTE);
    return k;
  }

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static IkeSa ikeSa(long spi) {
    return new IkeSa(
        new IkeSaId(spi, spi + 1),
        "site-a",
        true,
        2,
        20,
        256,
        0,
        5,
        14,
        key(32),
        key(32),
        key(32),
        key(36),
        key(36),
        key(32),
        key(32),
        new Endpoint(ip("192.0.2.1"), 4500),
        new Endpoint(ip("2001:db8::7"), 61000),
        false,
        true,
        3,
        true,
        2);
  }

  static ChildSa childSa(long ikeSpi, int inSpi) {
    return new ChildSa(
        "site-a",
        new IkeSaId(ikeSpi, ikeSpi + 1),
        inSpi,
        inSpi + 0x100,
        20,
        256,
        0,
        key(36),
        key(36),
        true,
        true,
        List.of(new Selector(ip("10.1.0.0"), 16, 0, 0, 65535)),
        List.of(new Selector(ip("10.2.0.0"), 16, 6, 443, 443)),
        27000,
        28800,
        0,
        102_400_000_000L,
        1_700_000_000_000L);
  }
}
