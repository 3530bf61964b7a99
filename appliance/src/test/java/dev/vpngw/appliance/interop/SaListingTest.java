package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code swanctl --list-sas --pretty} as charon 5.9.8 prints it parses into records: identities
 * that are distinguished names with spaces and commas, lists of traffic selectors, a CHILD_SA left
 * over in state DELETED after an IKE_SA rekey beside its installed successor, and the SPIs the
 * right way round for initiator and responder.
 */
class SaListingTest {
  @Test
  void parsesAnIkeSaWithTwoChildSasAfterRekeys() throws IOException {
    List<IkeSaInfo> sas =
        SaListing.parse(EspKeyLogTest.resource("list-sas-pretty-after-rekeys.txt"));
    assertEquals(1, sas.size());
    IkeSaInfo ike = sas.get(0);
    assertEquals("s2s", ike.name());
    assertEquals(2, ike.uniqueId());
    assertEquals(2, ike.version());
    assertTrue(ike.established());
    assertEquals("192.0.2.1", ike.localHost());
    assertEquals(4500, ike.localPort());
    assertEquals("C=CH, O=vpngw interop, CN=gw-a", ike.localId());
    assertEquals("192.0.2.2", ike.remoteHost());
    assertEquals(4500, ike.remotePort());
    assertEquals("C=CH, O=vpngw interop, CN=gw-b", ike.remoteId());
    assertTrue(ike.initiator());
    assertEquals("7ca4352ecbd0bc5f", ike.localSpi());
    assertEquals("61f9bcd9ec69c0d6", ike.remoteSpi());
    assertEquals("AES_CBC-256", ike.encryption());
    assertEquals("HMAC_SHA2_256_128", ike.integrity());
    assertEquals("PRF_HMAC_SHA2_256", ike.prf());
    assertEquals("MODP_2048", ike.dhGroup());
    assertFalse(ike.natLocal());
    assertTrue(ike.natRemote());
    assertTrue(ike.natAny());

    assertEquals(2, ike.children().size());
    ChildSaInfo old = ike.children().get(0);
    assertEquals("DELETED", old.state());
    assertEquals("", old.dhGroup(), "no PFS in IKE_AUTH");
    assertEquals(168, old.bytesIn());
    assertEquals(2, old.packetsOut());

    List<ChildSaInfo> installed = ike.installed("net");
    assertEquals(1, installed.size());
    ChildSaInfo c = installed.get(0);
    assertEquals(2, c.uniqueId());
    assertEquals("TUNNEL", c.mode());
    assertTrue(c.encap());
    assertEquals("989a27a1", c.spiIn());
    assertEquals("6fe785fa", c.spiOut());
    assertEquals("AES_CBC-128", c.encryption());
    assertEquals("HMAC_SHA2_256_128", c.integrity());
    assertEquals("MODP_2048", c.dhGroup(), "the rekey used PFS");
    assertEquals(0, c.bytesOut());
    assertEquals(List.of("10.1.0.0/24", "fd00:1::/64"), c.localTs());
    assertEquals(List.of("10.2.0.0/24", "fd00:2::/64"), c.remoteTs());
  }

  @Test
  void theResponderSpiIsOursWhenWeDidNotInitiate() {
    String pretty =
        """
        list-sa event {
          s2s {
            uniqueid = 1
            state = CONNECTING
            initiator-spi = 1111111111111111
            responder-spi = 2222222222222222
            encr-alg = AES_GCM_16
            encr-keysize = 128
            child-sas {
            }
          }
        }
        list-sas reply {
        }
        """;
    IkeSaInfo ike = SaListing.parse(pretty).get(0);
    assertFalse(ike.initiator());
    assertFalse(ike.established());
    assertEquals("2222222222222222", ike.localSpi());
    assertEquals("1111111111111111", ike.remoteSpi());
    assertEquals("AES_GCM_16-128", ike.encryption());
    assertEquals("", ike.integrity());
    assertEquals(List.of(), ike.children());
  }

  @Test
  void noSasIsAnEmptyList() {
    assertEquals(List.of(), SaListing.parse("list-sas reply {\n}\n"));
  }

  @Test
  void outputCutOffInsideASectionIsAnError() {
    assertThrows(
        IllegalArgumentException.class, () -> SaListing.parse("list-sa event {\n  s2s {\n"));
    assertThrows(IllegalArgumentException.class, () -> SaListing.parse("error: no socket\n"));
  }
}
