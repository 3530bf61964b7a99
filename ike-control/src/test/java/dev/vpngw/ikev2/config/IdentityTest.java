package dev.vpngw.ikev2.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.message.IdType;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

/**
 * Identities are written as strongSwan writes them (RFC 7296 3.5): the type follows from the form,
 * and a DN's RDNs come in the order of their encoding, so that the same text names the same DN on
 * both sides of a tunnel to strongSwan.
 */
class IdentityTest {
  /**
   * {@code C=CH, O=vpngw interop, CN=gw-b} as strongSwan 5.9 encodes it (identification.c, atodn):
   * the RDNs C, O, CN in the written order, every value a PrintableString, where Java would use
   * UTF8String for O and CN.
   */
  private static final byte[] STRONGSWAN_DN =
      HexFormat.of()
          .parseHex(
              "3034310b300906035504061302434831163014060355040a130d76706e677720696e7465726f70"
                  + "310d300b0603550403130467772d62");

  @Test
  void aDnKeepsTheWrittenOrderOfItsRdns() {
    Identity id = Identity.parse("C=CH, O=vpngw interop, CN=gw-b");
    assertEquals(IdType.ID_DER_ASN1_DN, id.type());
    X500Name name = X500Name.getInstance(id.data());
    assertEquals(BCStyle.C, name.getRDNs()[0].getFirst().getType());
    assertEquals(BCStyle.O, name.getRDNs()[1].getFirst().getType());
    assertEquals(BCStyle.CN, name.getRDNs()[2].getFirst().getType());
    assertEquals("C=CH, O=vpngw interop, CN=gw-b", id.toString());
  }

  @Test
  void aDnMatchesStrongSwansEncodingWhateverItsStringTypes() {
    assertTrue(
        Identity.parse("C=CH, O=vpngw interop, CN=gw-b")
            .matches(IdType.ID_DER_ASN1_DN, STRONGSWAN_DN));
    assertTrue(
        Identity.parse("c=ch,o=VPNGW interop,cn=GW-B")
            .matches(IdType.ID_DER_ASN1_DN, STRONGSWAN_DN),
        "DNs compare as names, not as text");
    assertFalse(
        Identity.parse("CN=gw-b, O=vpngw interop, C=CH")
            .matches(IdType.ID_DER_ASN1_DN, STRONGSWAN_DN),
        "the reverse order is another DN");
    assertEquals(
        "C=CH, O=vpngw interop, CN=gw-b", Identity.describe(IdType.ID_DER_ASN1_DN, STRONGSWAN_DN));
  }

  @Test
  void theFormGivesTheType() {
    assertEquals(IdType.ID_IPV4_ADDR, Identity.parse("192.0.2.1").type());
    assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, Identity.parse("192.0.2.1").data());
    assertEquals(IdType.ID_IPV6_ADDR, Identity.parse("2001:db8::1").type());
    assertEquals(IdType.ID_FQDN, Identity.parse("@gw.example.com").type());
    assertArrayEquals(
        "gw.example.com".getBytes(StandardCharsets.US_ASCII),
        Identity.parse("@gw.example.com").data());
    assertEquals(IdType.ID_FQDN, Identity.parse("gw.example.com").type());
    assertEquals(IdType.ID_RFC822_ADDR, Identity.parse("ops@example.com").type());
    assertThrows(IllegalArgumentException.class, () -> Identity.parse(" "));
    assertThrows(IllegalArgumentException.class, () -> Identity.parse("CN=a,=b"));
  }
}
