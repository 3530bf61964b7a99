package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.sa.IkeSa;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * NAT detection (RFC 7296 2.23) in IKE_SA_INIT: each side sends SHA-1 hashes of the SPIs with the
 * address and port it sends from and the one it sends to, and compares the peer's hashes with what
 * the datagram really carried. A mismatch in the source hash means the peer is behind a NAT, in the
 * destination hash that we are. With a NAT, IKE moves to port 4500 and ESP goes inside UDP (RFC
 * 3948). A connection that forces encapsulation sends a source hash that cannot match, as
 * strongSwan does, so the peer encapsulates too.
 */
public final class NatDetectionTask implements IkeTask {
  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private long responseSpiI;
  private long responseSpiR;
  private InetSocketAddress requestFrom;

  /** The task for one side of the SA's IKE_SA_INIT. */
  public NatDetectionTask(IkeSa sa, IkeContext ctx, boolean initiator) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
  }

  @Override
  public void build(List<Payload> out) {
    long spiR = initiator ? 0 : sa.responderSpi();
    InetSocketAddress local = new InetSocketAddress(sa.config().localAddress(), sa.localPort());
    InetSocketAddress remote = initiator ? sa.peer() : requestFrom;
    byte[] source = hash(sa.initiatorSpi(), spiR, local);
    if (sa.config().forceEncapsulation()) {
      ctx.random().nextBytes(source);
    }
    out.add(NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, source));
    out.add(
        NotifyPayload.of(
            NotifyType.NAT_DETECTION_DESTINATION_IP, hash(sa.initiatorSpi(), spiR, remote)));
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) {
    if (!initiator) {
      requestFrom = inbound.from();
    }
    List<NotifyPayload> sources =
        message.all(NotifyPayload.class).stream()
            .filter(n -> n.notifyType() == NotifyType.NAT_DETECTION_SOURCE_IP)
            .toList();
    NotifyPayload destination = message.notify(NotifyType.NAT_DETECTION_DESTINATION_IP);
    if (sources.isEmpty() || destination == null) {
      return Status.DONE; // the peer does not do NAT detection: no NAT assumed
    }
    responseSpiI = message.initiatorSpi();
    responseSpiR = message.responderSpi();
    byte[] expectedSource = hash(responseSpiI, responseSpiR, inbound.from());
    boolean remoteNat =
        sources.stream().noneMatch(n -> MessageDigest.isEqual(n.data(), expectedSource));
    InetSocketAddress local =
        new InetSocketAddress(sa.config().localAddress(), inbound.localPort());
    boolean localNat =
        !MessageDigest.isEqual(destination.data(), hash(responseSpiI, responseSpiR, local));
    if (sa.config().forceEncapsulation()) {
      remoteNat = true;
    }
    sa.nat(localNat, remoteNat);
    if (localNat || remoteNat) {
      ctx.log()
          .event(
              "nat_detected",
              sa.config().name(),
              "local_behind_nat",
              localNat,
              "peer_behind_nat",
              remoteNat,
              "peer",
              inbound.from().getAddress().getHostAddress() + ":" + inbound.from().getPort());
      if (initiator && sa.localPort() != 4500) {
        // RFC 7296 2.23: the initiator moves to port 4500 for IKE_AUTH and everything after.
        sa.localPort(4500);
        sa.peer(new InetSocketAddress(sa.peer().getAddress(), 4500));
      }
    }
    return Status.DONE;
  }

  /** SHA-1(SPIi | SPIr | IP | port), RFC 7296 2.23. */
  static byte[] hash(long spiI, long spiR, InetSocketAddress endpoint) {
    InetAddress address = endpoint.getAddress();
    byte[] ip = address.getAddress();
    ByteBuffer b = ByteBuffer.allocate(16 + ip.length + 2);
    b.putLong(spiI).putLong(spiR).put(ip).putShort((short) endpoint.getPort());
    try {
      return MessageDigest.getInstance("SHA-1").digest(b.array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
