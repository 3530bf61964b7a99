package dev.vpngw.io.packet;

import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A link-layer socket ({@code AF_PACKET}, {@code SOCK_RAW}) bound to one interface, for the few
 * frames the gateway must write itself: the gratuitous ARP and unsolicited neighbour advertisement
 * an HA node sends when it takes over the virtual public address. Sending only (it is opened with
 * protocol 0, so the kernel queues nothing to it); opened once, used at takeover, never per packet.
 *
 * <pre>
 * struct sockaddr_ll (20 bytes)
 *   0  unsigned short sll_family   (AF_PACKET)
 *   2  __be16         sll_protocol (the ethertype, network order)
 *   4  int            sll_ifindex
 *   8  unsigned short sll_hatype
 *  10  unsigned char  sll_pkttype
 *  11  unsigned char  sll_halen    (6 for Ethernet)
 *  12  unsigned char  sll_addr[8]  (the destination MAC on send)
 * </pre>
 *
 * <p>The frame handed to {@link #send} is a whole Ethernet frame, header included ({@code
 * SOCK_RAW}); the kernel pads it to the minimum length.
 */
public final class PacketSocket implements AutoCloseable {
  /** {@code AF_PACKET}. */
  public static final int AF_PACKET = 17;

  /** Ethertype of ARP. */
  public static final int ETH_P_ARP = 0x0806;

  /** Ethertype of IPv6. */
  public static final int ETH_P_IPV6 = 0x86DD;

  private static final int SOCKADDR_LL_SIZE = 20;
  private static final int MAX_FRAME = 1514;

  private final String device;
  private final int ifIndex;
  private final byte[] mac;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment address;
  private final MemorySegment frame;

  private PacketSocket(String device, int ifIndex, byte[] mac, int fd, int ethertype) {
    this.device = device;
    this.ifIndex = ifIndex;
    this.mac = mac;
    this.fd = fd;
    this.address = arena.allocate(SOCKADDR_LL_SIZE, 8);
    this.frame = arena.allocate(MAX_FRAME, 8);
    address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET);
    address.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) ethertype);
    address.set(ValueLayout.JAVA_INT, 4, ifIndex);
    address.set(ValueLayout.JAVA_BYTE, 11, (byte) 6);
  }

  /**
   * Opens a send-only raw link-layer socket on DEVICE for frames of one ethertype. Needs
   * CAP_NET_RAW.
   *
   * @throws IOException if the device has no Ethernet address or the socket cannot be made
   */
  public static PacketSocket open(String device, int ethertype) throws IOException {
    LibC.ensureAvailable();
    int ifIndex = LibC.ifNameToIndex(device);
    byte[] mac = macAddress(device);
    // protocol 0: the socket receives nothing (a send-only socket never fills a receive queue);
    // each send names the ethertype in its sockaddr_ll instead
    int fd = LibC.socket(AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
    return new PacketSocket(device, ifIndex, mac, fd, ethertype);
  }

  /** The Ethernet address of DEVICE, from {@code /sys/class/net/DEVICE/address}. */
  public static byte[] macAddress(String device) throws IOException {
    if (device.isEmpty() || device.contains("/") || device.startsWith(".")) {
      throw new IllegalArgumentException("not an interface name: '" + device + "'");
    }
    Path file = Path.of("/sys/class/net", device, "address");
    if (!Files.exists(file)) {
      throw new IOException("no interface " + device + " (" + file + " does not exist)");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    String[] parts = text.split(":");
    if (parts.length != 6) {
      throw new IOException(
          device + " has no Ethernet address (" + file + " holds '" + text + "')");
    }
    byte[] mac = new byte[6];
    for (int i = 0; i < 6; i++) {
      mac[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return mac;
  }

  /** The interface's Ethernet address (a copy). */
  public byte[] mac() {
    return mac.clone();
  }

  /** The interface name. */
  public String device() {
    return device;
  }

  /** The interface index. */
  public int ifIndex() {
    return ifIndex;
  }

  /**
   * Sends one whole Ethernet frame (destination MAC first) out of the interface.
   *
   * @throws NativeIOException if the kernel refuses it (or would block: a takeover announcement
   *     that cannot be queued is an error worth reporting, not a silent drop)
   */
  public void send(byte[] ethernetFrame) throws NativeIOException {
    if (ethernetFrame.length < 14 || ethernetFrame.length > MAX_FRAME) {
      throw new IllegalArgumentException("frame length " + ethernetFrame.length + " not 14..1514");
    }
    MemorySegment.copy(ethernetFrame, 0, frame, ValueLayout.JAVA_BYTE, 0, ethernetFrame.length);
    MemorySegment.copy(ethernetFrame, 0, address, ValueLayout.JAVA_BYTE, 12, 6);
    int n =
        LibC.sendto(
            fd, frame.address(), ethernetFrame.length, 0, address.address(), SOCKADDR_LL_SIZE);
    if (n != ethernetFrame.length) {
      throw new NativeIOException(
          "sendto(AF_PACKET " + device + ") sent " + n + " bytes", Errno.EAGAIN);
    }
  }

  @Override
  public void close() throws NativeIOException {
    try {
      LibC.close(fd);
    } finally {
      arena.close();
    }
  }
}
