package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The swanctl.conf text: a PSK connection renders exactly as strongSwan expects it, identities and
 * secrets are quoted, and a caller's setting comes after the default it replaces (in strongSwan's
 * settings syntax the later value of a key wins; StrongSwanFixtureSystemTest shows charon taking
 * these files).
 */
class SwanctlConfTest {
  @Test
  void rendersAPskConnectionWithItsChildAndSecret() {
    String text =
        new SwanctlConf()
            .connection(
                new Connection("s2s")
                    .localAddrs("192.0.2.1")
                    .remoteAddrs("192.0.2.2")
                    .proposals("aes256-sha256-modp2048")
                    .localPsk("gw-a")
                    .remotePsk("gw-b")
                    .dpdDelay(Duration.ofSeconds(10))
                    .child(
                        new Child("net")
                            .localTs("10.1.0.0/24")
                            .remoteTs("10.2.0.0/24")
                            .espProposals("aes128gcm16")
                            .startAction("trap")
                            .dpdAction("clear")))
            .ikeSecret("s3cret", "gw-a", "gw-b")
            .render();
    assertEquals(
        """
        connections {
          s2s {
            version = 2
            mobike = no
            fragmentation = yes
            rekey_time = 0
            reauth_time = 0
            over_time = 0
            local_addrs = 192.0.2.1
            remote_addrs = 192.0.2.2
            proposals = aes256-sha256-modp2048
            dpd_delay = 10s
            local {
              auth = psk
              id = "gw-a"
            }
            remote {
              auth = psk
              id = "gw-b"
            }
            children {
              net {
                mode = tunnel
                rekey_time = 0
                life_time = 0
                rand_time = 0
                local_ts = 10.1.0.0/24
                remote_ts = 10.2.0.0/24
                esp_proposals = aes128gcm16
                start_action = trap
                dpd_action = clear
              }
            }
          }
        }

        secrets {
          ike-1 {
            id-1 = "gw-a"
            id-2 = "gw-b"
            secret = "s3cret"
          }
        }
        """,
        text);
  }

  @Test
  void certificatesLifetimesAndQuoting() {
    String text =
        new SwanctlConf()
            .connection(
                new Connection("c")
                    .localCert("gw-a.pem", "C=CH, O=Test, CN=gw-a")
                    .remoteCert("gw-b.test", "ca.pem")
                    .ikeLifetimes(Duration.ofMinutes(60), Duration.ofMinutes(66))
                    .encap(true)
                    .child(
                        new Child("net")
                            .lifetimes(Duration.ofSeconds(30), Duration.ofSeconds(40))
                            .byteLifetimes(1_000_000, 1_200_000)))
            .ikeSecret("with \"quotes\" and \\", "a")
            .render();
    assertTrue(
        text.contains(
            "auth = pubkey\n      certs = gw-a.pem\n      id = \"C=CH, O=Test, CN=gw-a\"\n"),
        text);
    assertTrue(text.contains("id = \"gw-b.test\"\n      cacerts = ca.pem\n"), text);
    // Defaults first, the caller's values after them, so the caller's win.
    assertTrue(text.indexOf("rekey_time = 0") < text.indexOf("rekey_time = 3600s"), text);
    assertTrue(text.contains("over_time = 360s\n    rand_time = 0s\n    encap = yes\n"), text);
    assertTrue(
        text.contains("rekey_time = 30s\n        life_time = 40s\n        rand_time = 0s\n"), text);
    assertTrue(
        text.contains(
            "rekey_bytes = 1000000\n        life_bytes = 1200000\n        rand_bytes = 0\n"),
        text);
    assertTrue(text.contains("secret = \"with \\\"quotes\\\" and \\\\\"\n"), text);
  }

  @Test
  void anIkeLifeShorterThanItsRekeyIsRefused() {
    Connection c = new Connection("c");
    assertThrows(
        IllegalArgumentException.class,
        () -> c.ikeLifetimes(Duration.ofMinutes(10), Duration.ofMinutes(5)));
  }
}
