package dev.vpngw.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our ICMP errors as scapy (an independent implementation) sees them: it must dissect them as the
 * right message with our fields, and its own checksum computation must equal what we wrote.
 */
@Tag("system")
class IcmpErrorsScapySystemTest {
  private static final String PYTHON = "/usr/bin/python3";

  /** Prints the dissected fields, then the checksums scapy computes itself after deleting ours. */
  private static final String SCRIPT =
      """
      import sys
      from scapy.all import IP, ICMP, IPv6, ICMPv6PacketTooBig, IPerror, IPerror6, raw
      data = bytes.fromhex(sys.argv[2])
      if sys.argv[1] == "4":
          p = IP(data)
          i = p[ICMP]
          print(p.src, p.dst, p.ttl, i.type, i.code, i.nexthopmtu, p[IPerror].src, i.chksum, p.chksum)
          del p.chksum
          del i.chksum
          q = IP(raw(p))
          print(q[ICMP].chksum, q.chksum)
      else:
          p = IPv6(data)
          i = p[ICMPv6PacketTooBig]
          print(p.src, p.dst, p.hlim, i.type, i.code, i.mtu, p[IPerror6].src, i.cksum)
          del i.cksum
          q = IPv6(raw(p))
          print(q[ICMPv6PacketTooBig].cksum)
      """;

  private static List<String> scapy(String version, byte[] packet)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(PYTHON, "-c", SCRIPT, version, HexFormat.of().formatHex(packet))
            .redirectErrorStream(true)
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("scapy did not finish in 60 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    return output.lines().toList();
  }

  private static void assumeScapy() throws IOException, InterruptedException {
    assumeTrue(new File(PYTHON).canExecute(), "needs " + PYTHON);
    Process probe = new ProcessBuilder(PYTHON, "-c", "import scapy.all").start();
    assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "needs scapy");
  }

  @Test
  void scapyAgreesWithOurFragmentationNeeded() throws Exception {
    assumeScapy();
    byte[] offending = IcmpErrorsTest.v4Udp(1500, IcmpErrorsTest.HOST, IcmpErrorsTest.REMOTE);
    UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
    int length =
        IcmpErrors.fragmentationNeeded(
            new UnsafeBuffer(offending), 0, 1500, 1400, IcmpErrorsTest.GATEWAY, out, 0);
    byte[] reply = new byte[length];
    out.getBytes(0, reply);

    List<String> lines = scapy("4", reply);
    String[] fields = lines.get(0).split(" ");
    assertEquals(
        List.of("10.0.0.1", "10.0.0.5", "64", "3", "4", "1400", "10.0.0.5"),
        List.of(fields).subList(0, 7));
    String[] recomputed = lines.get(1).split(" ");
    assertEquals(fields[7], recomputed[0], "ICMP checksum");
    assertEquals(fields[8], recomputed[1], "IP header checksum");
  }

  @Test
  void scapyAgreesWithOurPacketTooBig() throws Exception {
    assumeScapy();
    byte[] offending = IcmpErrorsTest.v6Udp(1500, IcmpErrorsTest.HOST6, IcmpErrorsTest.REMOTE6);
    UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
    int length =
        IcmpErrors.packetTooBig(
            new UnsafeBuffer(offending), 0, 1500, 1400, IcmpErrorsTest.GATEWAY6, out, 0);
    byte[] reply = new byte[length];
    out.getBytes(0, reply);

    List<String> lines = scapy("6", reply);
    String[] fields = lines.get(0).split(" ");
    assertEquals(
        List.of("2001:db8::1", "2001:db8::5", "64", "2", "0", "1400", "2001:db8::5"),
        List.of(fields).subList(0, 7));
    assertEquals(fields[7], lines.get(1), "ICMPv6 checksum");
  }
}
