package dev.vpngw.ikev2.task;

import java.net.InetSocketAddress;

/**
 * Where a message came from and where it arrived: NAT detection (RFC 7296 2.23) compares them with
 * what the peer says it sent from.
 *
 * @param from the source address and port of the datagram
 * @param localPort our port it arrived on (500 or 4500)
 * @param raw the datagram as received (IKE_SA_INIT's bytes are signed by AUTH)
 */
public record Inbound(InetSocketAddress from, int localPort, byte[] raw) {}
