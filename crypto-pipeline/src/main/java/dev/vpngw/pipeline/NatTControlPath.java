package dev.vpngw.pipeline;

import dev.vpngw.esp.UdpEncapsulation;
import dev.vpngw.io.udp.UdpSocket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * IKE's way through the dataplane's NAT-T sockets (RFC 3948: after NAT detection IKE shares UDP
 * 4500 with ESP): the control ring that the UDP receive agents fill with IKE messages and the IKE
 * thread drains, and the sending of IKE messages and NAT-keepalives from the same sockets. {@link
 * Dataplane} exposes it to the IKE side.
 */
final class NatTControlPath {
  /** Bytes of the control ring: IKE messages waiting for the IKE thread. */
  static final int RING_CAPACITY = 1 << 20;

  /** The longest IKE message {@link #send} takes: a UDP payload less the marker. */
  static final int MAX_MESSAGE = UdpSocket.MAX_PAYLOAD - UdpEncapsulation.NON_ESP_MARKER_LENGTH;

  private static final byte[] NAT_KEEPALIVE = {UdpEncapsulation.NAT_KEEPALIVE_BYTE};

  private final UdpSocket udp4;
  private final UdpSocket udp6;
  private final RingBuffer ring =
      new ManyToOneRingBuffer(
          new UnsafeBuffer(
              ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
  private final Object sendLock = new Object();
  private final byte[] sendBuffer = new byte[UdpSocket.MAX_PAYLOAD];

  /** Over the NAT-T sockets of each family; either may be null. */
  NatTControlPath(UdpSocket udp4, UdpSocket udp6) {
    this.udp4 = udp4;
    this.udp6 = udp6;
  }

  /** The control ring, for the UDP receive agents to write {@code CONTROL_IN} messages into. */
  RingBuffer ring() {
    return ring;
  }

  /** See {@link Dataplane#pollControl}. */
  int poll(ControlPacketHandler handler, int limit) {
    Objects.requireNonNull(handler, "handler");
    return ring.read(
        (type, buffer, index, length) -> {
          if (type == RingMessages.CONTROL_IN) {
            handler.onIkePacket(
                RingMessages.peer(buffer, index),
                buffer.getInt(index + RingMessages.LOCAL_PORT_OFFSET),
                buffer,
                index + RingMessages.CONTROL_HEADER_LENGTH,
                length - RingMessages.CONTROL_HEADER_LENGTH);
          }
        },
        limit);
  }

  /** See {@link Dataplane#sendControl}. */
  boolean send(InetSocketAddress to, byte[] message, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, message.length);
    if (length > MAX_MESSAGE) {
      throw new IllegalArgumentException(
          "IKE message of " + length + " bytes, more than " + MAX_MESSAGE);
    }
    UdpSocket udp = socketFor(to);
    // The marker and the message go together in this buffer, one caller at a time: never in the
    // transmit agent's batches, which its own thread alone touches.
    synchronized (sendLock) {
      Arrays.fill(sendBuffer, 0, UdpEncapsulation.NON_ESP_MARKER_LENGTH, (byte) 0);
      System.arraycopy(message, offset, sendBuffer, UdpEncapsulation.NON_ESP_MARKER_LENGTH, length);
      return udp.sendTo(to, sendBuffer, 0, UdpEncapsulation.NON_ESP_MARKER_LENGTH + length);
    }
  }

  /** See {@link Dataplane#sendNatKeepalive}. */
  boolean sendNatKeepalive(InetSocketAddress to) throws IOException {
    return socketFor(to).sendTo(to, NAT_KEEPALIVE, 0, NAT_KEEPALIVE.length);
  }

  /** See {@link Dataplane#hasUdp}. */
  boolean hasUdp(int ipVersion) {
    return switch (ipVersion) {
      case 4 -> udp4 != null;
      case 6 -> udp6 != null;
      default -> throw new IllegalArgumentException("IP version 4 or 6, not " + ipVersion);
    };
  }

  private UdpSocket socketFor(InetSocketAddress to) throws IOException {
    InetAddress address = to.getAddress();
    if (address == null) {
      throw new IllegalArgumentException("unresolved address " + to);
    }
    boolean v6 = address instanceof Inet6Address;
    UdpSocket udp = v6 ? udp6 : udp4;
    if (udp == null) {
      throw new IOException(
          "no IPv" + (v6 ? 6 : 4) + " UDP socket on the NAT-T port to send to " + to);
    }
    return udp;
  }
}
