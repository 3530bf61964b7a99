package dev.vpngw.esp.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.esp.EspCounters;
import dev.vpngw.esp.EspDecapsulator;
import dev.vpngw.esp.EspEncapsulator;
import dev.vpngw.esp.EspResult;
import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.pcap.PcapWriter;
import dev.vpngw.sa.SaDatabase;
import dev.vpngw.sa.SecurityAssociation;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ESP interoperability against two independent implementations, for every crypto engine:
 *
 * <ul>
 *   <li>tshark (Wireshark's ESP dissector, keys given as its esp_sa table) decrypts a pcap of
 *       everything we encapsulated and shows the very inner packets we put in;
 *   <li>scapy's own ESP encrypts packets that we decapsulate, and decrypts what we encapsulate.
 *       Where scapy 2.5 cannot serve, the script builds the RFC construction itself on
 *       python3-cryptography and hmac: AES-GMAC (RFC 4543, not in scapy) and CBC+HMAC with ESN
 *       (scapy leaves the high sequence bits out of the ICV, against RFC 4303 3.3.2.1).
 * </ul>
 *
 * Every algorithm, IPv4 and IPv6 outer and inner in all four combinations, with and without RFC
 * 3948 UDP encapsulation, with 32-bit and extended sequence numbers (the ESN cases cross the 32-bit
 * boundary).
 */
@Tag("system")
class EspInteropSystemTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final String TSHARK = "/usr/bin/tshark";
  private static final Path SCAPY_SCRIPT = Path.of("src/test/resources/interop/scapy_esp.py");

  private static Arena arena;
  private static PacketBuffer buffer;

  @TempDir Path tmp;

  @BeforeAll
  static void allocate() {
    arena = Arena.ofShared();
    buffer = PacketBuffer.allocate(arena, 4096);
  }

  @AfterAll
  static void free() {
    arena.close();
  }

  static Stream<CryptoEngine> engines() {
    return CryptoEngines.available().stream();
  }

  /** One packet we sent: its sequence number, the inner packet, the outer packet on the wire. */
  record Sent(InteropCase testCase, long seq, byte[] inner, byte[] outer) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void tsharkDecryptsWhatWeEncapsulate(CryptoEngine engine) throws Exception {
    assumeTrue(ExternalProcess.available(TSHARK), "tshark is installed by ./run-tests");
    List<InteropCase> cases =
        InteropCase.matrix(EspSuite.all(), false).stream()
            .filter(InteropCase::tsharkDecrypts)
            .toList();
    List<Sent> sent = new ArrayList<>();
    for (InteropCase c : cases) {
      sent.addAll(encapsulateAll(engine, c));
    }
    Path pcap = tmp.resolve("ours-" + engine.name() + ".pcap");
    try (PcapWriter writer = new PcapWriter(pcap)) {
      for (int i = 0; i < sent.size(); i++) {
        writer.write(sent.get(i).outer(), 0, sent.get(i).outer().length, 1_000_000L + i);
      }
    }
    List<String> command = new ArrayList<>(List.of(TSHARK, "-n", "-r", pcap.toString()));
    command.addAll(List.of("-o", "esp.enable_encryption_decode:TRUE"));
    command.addAll(List.of("-o", "esp.enable_authentication_check:TRUE"));
    for (InteropCase c : cases) {
      command.addAll(List.of("-o", "uat:esp_sa:" + c.tsharkSa()));
    }
    command.addAll(List.of("-T", "fields", "-E", "separator=/t"));
    command.addAll(List.of("-e", "esp.spi", "-e", "esp.sequence", "-e", "esp.icv_good"));
    command.addAll(List.of("-e", "esp.contained_data"));
    ExternalProcess.Result r = ExternalProcess.run(command, null, 300);
    assertEquals(0, r.exitCode(), "tshark failed: " + r.stderr());
    String[] lines = r.stdout().strip().split("\n");
    assertEquals(sent.size(), lines.length, "one line per frame; tshark said:\n" + r.stdout());
    for (int i = 0; i < lines.length; i++) {
      Sent s = sent.get(i);
      String[] f = lines[i].split("\t", -1);
      String what = s.testCase() + " seq " + s.seq() + ": tshark line '" + lines[i] + "'";
      assertEquals(s.testCase().spi(), Integer.decode(f[0]).intValue(), what);
      assertEquals(s.seq(), Long.parseLong(f[1]), what);
      assertTrue(f[2].equals("1") || f[2].equalsIgnoreCase("true"), "ICV not good: " + what);
      assertEquals(InteropCase.HEX.formatHex(s.inner()), f[3], "inner packet differs: " + what);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void scapyDecryptsWhatWeEncapsulate(CryptoEngine engine) throws Exception {
    assumeTrue(ExternalProcess.available(PYTHON), "/usr/bin/python3 with python3-scapy");
    List<InteropCase> cases = InteropCase.matrix(EspSuite.all(), true);
    List<List<Sent>> sentPerCase = new ArrayList<>();
    StringBuilder jobs = new StringBuilder("{\"jobs\":[");
    for (InteropCase c : cases) {
      List<Sent> sent = encapsulateAll(engine, c);
      sentPerCase.add(sent);
      jobs.append(sentPerCase.size() > 1 ? "," : "").append("{\"op\":\"decrypt\",\"sa\":");
      jobs.append(c.scapySaJson()).append(",\"packets\":[");
      for (int i = 0; i < sent.size(); i++) {
        jobs.append(i > 0 ? "," : "").append(packetJson(sent.get(i).seq(), sent.get(i).outer()));
      }
      jobs.append("]}");
    }
    List<String> answers = runScapy(jobs.append("]}").toString(), cases.size());
    for (int k = 0; k < cases.size(); k++) {
      List<Sent> sent = sentPerCase.get(k);
      String[] words = answers.get(k).split(" ");
      assertEquals("OK", words[0], cases.get(k) + ": scapy said " + answers.get(k));
      assertEquals(sent.size(), words.length - 1, cases.get(k) + ": " + answers.get(k));
      for (int i = 0; i < sent.size(); i++) {
        assertEquals(
            InteropCase.HEX.formatHex(sent.get(i).inner()),
            words[i + 1],
            cases.get(k) + " seq " + sent.get(i).seq() + ": scapy's inner packet differs");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void weDecapsulateWhatScapyEncrypts(CryptoEngine engine) throws Exception {
    assumeTrue(ExternalProcess.available(PYTHON), "/usr/bin/python3 with python3-scapy");
    List<InteropCase> cases = InteropCase.matrix(EspSuite.all(), true);
    List<List<byte[]>> innerPerCase = new ArrayList<>();
    StringBuilder jobs = new StringBuilder("{\"jobs\":[");
    for (InteropCase c : cases) {
      List<byte[]> inners = new ArrayList<>();
      jobs.append(innerPerCase.isEmpty() ? "" : ",").append("{\"op\":\"encrypt\",\"sa\":");
      jobs.append(c.scapySaJson()).append(",\"packets\":[");
      long[] seqs = c.sequences();
      for (int i = 0; i < seqs.length; i++) {
        byte[] inner = InnerPackets.udp(c.innerVersion(), i, c.innerSize(i));
        inners.add(inner);
        jobs.append(i > 0 ? "," : "").append(packetJson(seqs[i], inner));
      }
      jobs.append("]}");
      innerPerCase.add(inners);
    }
    List<String> answers = runScapy(jobs.append("]}").toString(), cases.size());
    EspCounters counters = new EspCounters();
    SaDatabase database = new SaDatabase();
    EspDecapsulator decapsulator = new EspDecapsulator(database, counters);
    EspResult result = new EspResult();
    for (int k = 0; k < cases.size(); k++) {
      InteropCase c = cases.get(k);
      String[] words = answers.get(k).split(" ");
      assertEquals("OK", words[0], c + ": scapy said " + answers.get(k));
      try (SecurityAssociation sa = SecurityAssociation.inbound(c.config(false), engine)) {
        database.add(sa);
        for (int i = 0; i < c.sequences().length; i++) {
          byte[] outer = InteropCase.HEX.parseHex(words[i + 1]);
          buffer.buffer().putBytes(0, outer);
          int status = decapsulator.decapsulatePacket(buffer, 0, outer.length, result);
          String what = c + " seq " + Long.toHexString(c.sequences()[i]);
          assertEquals(EspResult.OK, status, what + ": dropped as " + status);
          assertEquals(c.sequences()[i], result.sequence(), what);
          byte[] inner = new byte[result.innerLength()];
          buffer.buffer().getBytes(result.innerOffset(), inner);
          assertEquals(
              InteropCase.HEX.formatHex(innerPerCase.get(k).get(i)),
              InteropCase.HEX.formatHex(inner),
              what + ": inner packet differs");
        }
        database.remove(c.spi());
      }
    }
  }

  private List<Sent> encapsulateAll(CryptoEngine engine, InteropCase c) {
    List<Sent> sent = new ArrayList<>();
    EspEncapsulator encapsulator = new EspEncapsulator(new EspCounters());
    EspResult result = new EspResult();
    try (SecurityAssociation sa = SecurityAssociation.outbound(c.config(true), engine)) {
      long[] seqs = c.sequences();
      for (int i = 0; i < seqs.length; i++) {
        byte[] inner = InnerPackets.udp(c.innerVersion(), i, c.innerSize(i));
        buffer.buffer().putBytes(EspEncapsulator.HEADROOM, inner);
        int status =
            encapsulator.encapsulate(sa, buffer, EspEncapsulator.HEADROOM, inner.length, result);
        assertEquals(EspResult.OK, status, c + ": encapsulation refused with " + status);
        assertEquals(seqs[i], result.sequence(), c + ": sequence numbers run from the config");
        byte[] outer = new byte[result.packetLength()];
        buffer.buffer().getBytes(result.packetOffset(), outer);
        sent.add(new Sent(c, seqs[i], inner, outer));
      }
    }
    return sent;
  }

  private static String packetJson(long seq, byte[] bytes) {
    return String.format(
        "{\"seq\":%d,\"esn_high\":%d,\"hex\":\"%s\"}",
        seq & 0xffff_ffffL, seq >>> 32, InteropCase.HEX.formatHex(bytes));
  }

  private static List<String> runScapy(String request, int jobs) throws Exception {
    assertTrue(Files.exists(SCAPY_SCRIPT), "missing " + SCAPY_SCRIPT.toAbsolutePath());
    ExternalProcess.Result r =
        ExternalProcess.run(List.of(PYTHON, SCAPY_SCRIPT.toString()), request, 600);
    assertEquals(0, r.exitCode(), "scapy_esp.py failed: " + r.stderr());
    List<String> lines = r.stdout().strip().lines().toList();
    assertEquals(jobs, lines.size(), "one answer per job; stderr: " + r.stderr());
    return lines;
  }
}
