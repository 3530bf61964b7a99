package dev.vpngw.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.fib.IpPrefix;
import dev.vpngw.selector.TrafficSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A child SA's routes: the connection's prefixes cut to its remote traffic selectors. */
class DataplaneInstallerTest {
  private static List<IpPrefix> p(String... cidrs) {
    return java.util.Arrays.stream(cidrs).map(IpPrefix::parse).toList();
  }

  @Test
  void anySelectorKeepsEveryRoute() {
    assertEquals(
        p("10.2.0.0/16", "fd00:2::/64"),
        DataplaneInstaller.routes(
            p("10.2.0.0/16", "fd00:2::/64"),
            List.of(TrafficSelector.parse("0.0.0.0/0"), TrafficSelector.parse("::/0"))));
  }

  @Test
  void aPolicyPairCarriesOnlyItsPrefix() {
    assertEquals(
        p("10.2.1.0/24"),
        DataplaneInstaller.routes(
            p("10.2.0.0/16", "fd00:2::/64"), List.of(TrafficSelector.parse("10.2.1.0/24"))));
  }

  @Test
  void anArbitraryRangeBecomesTheFewestPrefixes() {
    TrafficSelector range =
        TrafficSelector.range(new byte[] {10, 2, 0, 1}, new byte[] {10, 2, 0, 6}, 0, 0, 65535);
    assertEquals(
        p("10.2.0.1/32", "10.2.0.2/31", "10.2.0.4/31", "10.2.0.6/32"),
        DataplaneInstaller.routes(p("10.2.0.0/16"), List.of(range)));
  }

  @Test
  void eachChildSaOfAConnectionRoutesOnlyWhatItsSelectorsCover() {
    DataplaneInstaller installer = new DataplaneInstaller(null, 1);
    installer.connection(
        "to-b",
        new DataplaneInstaller.Route(p("10.2.0.0/25", "10.2.0.128/25", "fd00:2::/64"), 1400));
    List<TrafficSelector> local = List.of(TrafficSelector.parse("10.1.0.0/24"));
    assertEquals(
        p("10.2.0.128/25"),
        installer.routes(
            "to-b",
            dev.vpngw.selector.SelectorSet.of(
                local, List.of(TrafficSelector.parse("10.2.0.128/25")))));
    assertEquals(
        p("10.2.0.0/25", "10.2.0.128/25", "fd00:2::/64"),
        installer.routes(
            "to-b",
            dev.vpngw.selector.SelectorSet.of(
                List.of(TrafficSelector.parse("0.0.0.0/0"), TrafficSelector.parse("::/0")),
                List.of(TrafficSelector.parse("0.0.0.0/0"), TrafficSelector.parse("::/0")))));
  }

  @Test
  void disjointSelectorsCarryNothing() {
    assertEquals(
        List.of(),
        DataplaneInstaller.routes(p("10.2.0.0/16"), List.of(TrafficSelector.parse("10.3.0.0/16"))));
  }

  /** The cloud prefers the higher routing weight; the FIB the lower weight. */
  @Test
  void aHigherRoutingWeightIsALowerFibWeight() {
    DataplaneInstaller.Route preferred = new DataplaneInstaller.Route(p("10.2.0.0/16"), 1400, 20);
    DataplaneInstaller.Route backup = new DataplaneInstaller.Route(p("10.2.0.0/16"), 1400, 10);
    assertTrue(preferred.fibWeight() < backup.fibWeight());
    assertEquals(0, new DataplaneInstaller.Route(p("10.2.0.0/16"), 1400).fibWeight());
  }
}
