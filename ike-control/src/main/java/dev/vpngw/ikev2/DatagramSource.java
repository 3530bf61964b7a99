package dev.vpngw.ikev2;

/**
 * Where IKE datagrams come from: our own port-500 socket, and the dataplane's port-4500 socket
 * (which hands over what carries the non-ESP marker). Polled by the IKE thread, never blocking.
 */
public interface DatagramSource {
  /** Receives one datagram. */
  @FunctionalInterface
  interface Handler {
    /** One IKE message (without any non-ESP marker) from {@code from}, to our {@code localPort}. */
    void onDatagram(
        java.net.InetSocketAddress from, int localPort, byte[] data, int offset, int length);
  }

  /** Hands up to {@code limit} waiting datagrams to {@code handler}; returns how many. */
  int poll(Handler handler, int limit);
}
