package dev.vpngw.ha.journal;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The typed records of the replication journal (after strongSwan's {@code ha_message.h}, plus what
 * strongSwan does not sync: the outbound sequence-number marks). Records that hold keys print them
 * redacted: a record in a log line or exception message never shows key bytes.
 */
public sealed interface HaRecord {

  /** An IKE SA's identity: the initiator's and responder's SPIs. */
  record IkeSaId(long initiatorSpi, long responderSpi) {
    @Override
    public String toString() {
      return HexFormat.of().toHexDigits(initiatorSpi)
          + "_"
          + HexFormat.of().toHexDigits(responderSpi);
    }
  }

  /** An address and UDP port. */
  record Endpoint(InetAddress address, int port) {
    /** Checks the port. */
    public Endpoint {
      Objects.requireNonNull(address, "address");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " outside 0..65535");
      }
    }
  }

  /** A traffic selector: an address prefix, an IP protocol (0 any) and a port range. */
  record Selector(InetAddress address, int prefixLength, int protocol, int portLow, int portHigh) {
    /** Checks the fields. */
    public Selector {
      int max = address.getAddress().length * 8;
      if (prefixLength < 0 || prefixLength > max) {
        throw new IllegalArgumentException("selector prefix length " + prefixLength + " > " + max);
      }
      if (protocol < 0 || protocol > 255 || portLow < 0 || portHigh > 65535 || portLow > portHigh) {
        throw new IllegalArgumentException("selector protocol or port range out of bounds");
      }
    }
  }

  /**
   * The whole replicated state of one IKE SA.
   *
   * @param nextRequestId the Message ID of this node's next request (or of the one in flight)
   * @param requestInFlight whether a request with {@code nextRequestId} was sent and not answered
   * @param nextExpectedId the Message ID the peer's next request must carry
   */
  record IkeSa(
      IkeSaId id,
      String connection,
      boolean initiator,
      int ikeVersion,
      int encryption,
      int encryptionKeyBits,
      int integrity,
      int prf,
      int dhGroup,
      byte[] skD,
      byte[] skAi,
      byte[] skAr,
      byte[] skEi,
      byte[] skEr,
      byte[] skPi,
      byte[] skPr,
      Endpoint local,
      Endpoint remote,
      boolean natLocal,
      boolean natRemote,
      int nextRequestId,
      boolean requestInFlight,
      int nextExpectedId) {
    /** Checks the fields. */
    public IkeSa {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(local, "local");
      Objects.requireNonNull(remote, "remote");
      if (ikeVersion != 1 && ikeVersion != 2) {
        throw new IllegalArgumentException("ikeVersion " + ikeVersion + " is not 1 or 2");
      }
      for (byte[] k : new byte[][] {skD, skAi, skAr, skEi, skEr, skPi, skPr}) {
        Objects.requireNonNull(k, "IKE SA keys");
      }
    }

    /** Equal when every field, key bytes included, is equal. */
    @Override
    public boolean equals(Object o) {
      return o instanceof IkeSa s
          && java.util.Arrays.equals(
              RecordCodec.encode(new IkeSaAdded(this)), RecordCodec.encode(new IkeSaAdded(s)));
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    @Override
    public String toString() {
      return "IkeSa["
          + id
          + " "
          + connection
          + " v"
          + ikeVersion
          + " "
          + local
          + " <-> "
          + remote
          + (natLocal || natRemote ? " nat" : "")
          + " mid "
          + nextRequestId
          + "/"
          + nextExpectedId
          + ", keys redacted]";
    }
  }

  /**
   * The replicated state of one child SA (an ESP SA pair).
   *
   * @param inboundKey the inbound key material (cipher key and salt)
   * @param outboundKey the outbound key material
   * @param esn whether the SAs use 64-bit extended sequence numbers
   */
  record ChildSa(
      String connection,
      IkeSaId parent,
      int inboundSpi,
      int outboundSpi,
      int encryption,
      int encryptionKeyBits,
      int integrity,
      byte[] inboundKey,
      byte[] outboundKey,
      boolean udpEncapsulation,
      boolean esn,
      List<Selector> localSelectors,
      List<Selector> remoteSelectors,
      long softLifetimeSeconds,
      long hardLifetimeSeconds,
      long softLifetimeBytes,
      long hardLifetimeBytes,
      long createdMillis) {
    /** Checks the fields and copies the lists. */
    public ChildSa {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(parent, "parent");
      Objects.requireNonNull(inboundKey, "inboundKey");
      Objects.requireNonNull(outboundKey, "outboundKey");
      localSelectors = List.copyOf(localSelectors);
      remoteSelectors = List.copyOf(remoteSelectors);
    }

    /** Equal when every field, key bytes included, is equal. */
    @Override
    public boolean equals(Object o) {
      return o instanceof ChildSa c
          && java.util.Arrays.equals(
              RecordCodec.encode(new ChildSaAdded(this)), RecordCodec.encode(new ChildSaAdded(c)));
    }

    @Override
    public int hashCode() {
      return inboundSpi;
    }

    @Override
    public String toString() {
      return String.format(
          "ChildSa[%s in %08x out %08x %s <-> %s, keys redacted]",
          connection, inboundSpi, outboundSpi, localSelectors, remoteSelectors);
    }
  }

  /** An IKE SA was established. */
  record IkeSaAdded(IkeSa sa) implements HaRecord {}

  /** An IKE SA changed (rekeyed, peer moved, message ids moved on). */
  record IkeSaUpdated(IkeSa sa) implements HaRecord {}

  /** An IKE SA and all its child SAs are gone. */
  record IkeSaDeleted(IkeSaId id) implements HaRecord {}

  /** A child SA was installed. */
  record ChildSaAdded(ChildSa sa) implements HaRecord {}

  /** A child SA is gone. */
  record ChildSaDeleted(int inboundSpi) implements HaRecord {}

  /** The outbound SA with this SPI may use sequence numbers up to {@code mark}. */
  record SequenceMark(int outboundSpi, long mark) implements HaRecord {}

  /**
   * A planned switchover hands the outbound SA with this SPI over: node {@code fromNode}, the
   * active, has sent nothing above {@code sentUpTo} and sends nothing more above it; the node that
   * takes over may send from {@code sentUpTo + 1} up to {@code mark} at once, without waiting for
   * the old active (which, stepping down, cannot acknowledge yet). For any other node, and for
   * {@code fromNode} itself, it is a mark: it starts above {@code mark}. A later {@link
   * SequenceMark} of the SPI (the switchover was called off) ends the handover.
   */
  record SequenceHandover(int outboundSpi, long sentUpTo, long mark, int fromNode)
      implements HaRecord {
    /** Checks the numbers. */
    public SequenceHandover {
      if (sentUpTo < 0 || mark <= sentUpTo) {
        throw new IllegalArgumentException(
            "handover of sequence numbers above " + sentUpTo + " up to " + mark + " is empty");
      }
    }
  }

  /** The IKE SA's Message IDs moved on (one exchange started or completed). */
  record IkeMessageIds(IkeSaId id, int nextRequestId, boolean requestInFlight, int nextExpectedId)
      implements HaRecord {}

  /** The gateway's configuration as its text (what the standby would run with). */
  record Config(String text) implements HaRecord {
    /** Checks the text. */
    public Config {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
      return "Config[" + text.length() + " chars]";
    }
  }
}
