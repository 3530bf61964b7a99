package dev.vpngw.io.tun;

import dev.vpngw.io.sys.Errno;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A layer-3 TUN device, the gateway's LAN side: the kernel routes packets for the tunnels' remote
 * networks into it, and the gateway writes decrypted packets back out of it. Opened on {@code
 * /dev/net/tun} with {@code TUNSETIFF} as {@code IFF_TUN | IFF_NO_PI} (bare IP packets, no 4-byte
 * packet-information prefix; the IP version is the first nibble), see the kernel's {@code
 * Documentation/networking/tuntap.rst}.
 *
 * <p>With more than one queue the device is {@code IFF_MULTI_QUEUE}: each queue is its own fd (one
 * {@code TUNSETIFF} per fd on the same name), the kernel spreads the packets it sends into the
 * device across the queues by flow hash, and each RX thread owns one {@link TunQueue}. Every fd is
 * non-blocking; an idle reader waits in a {@link dev.vpngw.io.sys.Poller}.
 *
 * <p>With offloads ({@link #open(String, int, boolean)}) the device is also {@code IFF_VNET_HDR}:
 * every read and write starts with a {@link VirtioNetHeader}, and {@code TUNSETOFFLOAD} tells the
 * kernel it may hand us TCP (and, where the kernel has it, UDP) "super-packets" of up to 64 KiB
 * with a partial checksum, which the reader cuts into segments and checksums itself. One read then
 * carries what would otherwise take dozens, and the kernel's forwarding path handles each
 * super-packet once. Offloads and the header size are device-wide, so every queue sees the same.
 *
 * <p>The device lives as long as one of its fds is open (it is not made persistent), so a crashed
 * gateway leaves no interface behind. Addresses, MTU and routes are set with {@link
 * dev.vpngw.io.link.LinkConfig} after opening. Creating a device needs CAP_NET_ADMIN.
 */
public final class TunDevice implements AutoCloseable {
  /** The clone device every TUN is opened through. */
  public static final String CLONE_DEVICE = "/dev/net/tun";

  /** The longest interface name ({@code IFNAMSIZ} 16, less the terminating NUL). */
  public static final int MAX_NAME_LENGTH = 15;

  /** {@code TUNSETIFF = _IOW('T', 202, int)}. */
  static final long TUNSETIFF = 0x400454caL;

  /** {@code IFF_TUN}: layer 3, IP packets. */
  static final short IFF_TUN = 0x0001;

  /** {@code IFF_NO_PI}: no packet-information prefix. */
  static final short IFF_NO_PI = 0x1000;

  /** {@code IFF_MULTI_QUEUE}: one fd per queue. */
  static final short IFF_MULTI_QUEUE = 0x0100;

  /** {@code IFF_VNET_HDR}: every read and write starts with a {@code struct virtio_net_hdr}. */
  static final short IFF_VNET_HDR = 0x4000;

  /** {@code TUNSETOFFLOAD = _IOW('T', 208, unsigned int)}; the argument is the value itself. */
  static final long TUNSETOFFLOAD = 0x400454d0L;

  /** {@code TUNSETVNETHDRSZ = _IOW('T', 216, int)}; the argument points to an int. */
  static final long TUNSETVNETHDRSZ = 0x400454d8L;

  /** {@code TUN_F_CSUM}: we accept packets whose transport checksum is still partial. */
  public static final int TUN_F_CSUM = 0x01;

  /** {@code TUN_F_TSO4}: we accept IPv4 TCP super-packets. */
  public static final int TUN_F_TSO4 = 0x02;

  /** {@code TUN_F_TSO6}: we accept IPv6 TCP super-packets. */
  public static final int TUN_F_TSO6 = 0x04;

  /** {@code TUN_F_TSO_ECN}: ... also those whose first segment has CWR set. */
  public static final int TUN_F_TSO_ECN = 0x08;

  /** {@code TUN_F_USO4}: we accept IPv4 UDP super-packets (Linux 6.2 on). */
  public static final int TUN_F_USO4 = 0x20;

  /** {@code TUN_F_USO6}: we accept IPv6 UDP super-packets (Linux 6.2 on; only with USO4). */
  public static final int TUN_F_USO6 = 0x40;

  /** What we ask for first; without UDP when the kernel refuses that (before 6.2). */
  private static final int OFFLOADS_WANTED =
      TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6;

  private static final int OFFLOADS_WITHOUT_UDP = OFFLOADS_WANTED & ~(TUN_F_USO4 | TUN_F_USO6);

  /** {@code sizeof(struct ifreq)}: name[16] then a 24-byte union whose first member is flags. */
  private static final int IFREQ_LENGTH = 40;

  private static final int IFREQ_FLAGS_OFFSET = 16;

  private final String name;
  private final int ifIndex;
  private final boolean multiQueue;
  private final int offloads;
  private final TunQueue[] queues;
  private boolean closed;

  private TunDevice(String name, int ifIndex, boolean multiQueue, int offloads, int[] fds) {
    this.name = name;
    this.ifIndex = ifIndex;
    this.multiQueue = multiQueue;
    this.offloads = offloads;
    this.queues = new TunQueue[fds.length];
    int vnetHeaderLength = offloads != 0 ? VirtioNetHeader.LENGTH : 0;
    for (int i = 0; i < fds.length; i++) {
      queues[i] = new TunQueue(fds[i], i, vnetHeaderLength);
    }
  }

  /**
   * Creates (or attaches to) the TUN device {@code name} with {@code queues} queues: one queue is a
   * plain device, more make it multi-queue. The name may hold a {@code %d} for the kernel to
   * number; {@link #name()} tells the result.
   *
   * @throws NativeIOException naming the call, the errno and what is needed (root/CAP_NET_ADMIN,
   *     the tun driver, a free name)
   */
  public static TunDevice open(String name, int queues) throws NativeIOException {
    return open(CLONE_DEVICE, name, queues, false);
  }

  /**
   * As {@link #open(String, int)}, and with {@code offload} also {@code IFF_VNET_HDR} with a
   * 10-byte header and the checksum and segmentation offloads {@link #offloads()} reports: TCP
   * always, UDP where the kernel has it.
   */
  public static TunDevice open(String name, int queues, boolean offload) throws NativeIOException {
    return open(CLONE_DEVICE, name, queues, offload);
  }

  /** As {@link #open(String, int)} through another clone device path (tests of the errors). */
  static TunDevice open(String cloneDevice, String name, int queues) throws NativeIOException {
    return open(cloneDevice, name, queues, false);
  }

  private static TunDevice open(String cloneDevice, String name, int queues, boolean offload)
      throws NativeIOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length == 0
        || nameBytes.length > MAX_NAME_LENGTH
        || !name.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '/')) {
      throw new IllegalArgumentException(
          "an interface name is 1.." + MAX_NAME_LENGTH + " printable ASCII characters: " + name);
    }
    if (queues < 1) {
      throw new IllegalArgumentException("a TUN device has at least one queue: " + queues);
    }
    boolean multiQueue = queues > 1;
    short flags =
        (short)
            (IFF_TUN
                | IFF_NO_PI
                | (multiQueue ? IFF_MULTI_QUEUE : 0)
                | (offload ? IFF_VNET_HDR : 0));
    int[] fds = new int[queues];
    int opened = 0;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ifr = arena.allocate(IFREQ_LENGTH, 8);
      String actual = name;
      for (int q = 0; q < queues; q++) {
        fds[q] = openClone(cloneDevice);
        opened++;
        ifr.fill((byte) 0);
        ifr.setString(0, actual, StandardCharsets.US_ASCII);
        ifr.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET, flags);
        setInterface(fds[q], ifr.address(), actual, multiQueue);
        // The kernel writes back the name it used, which differs when ours had a %d.
        actual = ifr.getString(0, StandardCharsets.US_ASCII);
        LibC.setNonBlocking(fds[q], true);
      }
      int offloads = offload ? enableOffloads(arena, fds[0], actual) : 0;
      return new TunDevice(actual, LibC.ifNameToIndex(actual), multiQueue, offloads, fds);
    } catch (NativeIOException | RuntimeException e) {
      for (int q = 0; q < opened; q++) {
        try {
          LibC.close(fds[q]);
        } catch (NativeIOException closeFailure) {
          e.addSuppressed(closeFailure);
        }
      }
      throw e;
    }
  }

  private static int openClone(String cloneDevice) throws NativeIOException {
    try {
      return LibC.open(cloneDevice, LibC.O_RDWR | LibC.O_CLOEXEC);
    } catch (NativeIOException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV) {
        throw e.withHint(
            "the TUN driver is missing: load it (modprobe tun; CONFIG_TUN) or create the node"
                + " (mknod /dev/net/tun c 10 200)");
      }
      if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
        throw e.withHint("TUN devices need root (or access to the node and CAP_NET_ADMIN)");
      }
      throw e;
    }
  }

  private static void setInterface(int fd, long ifr, String name, boolean multiQueue)
      throws NativeIOException {
    try {
      LibC.ioctl(fd, TUNSETIFF, ifr, "TUNSETIFF");
    } catch (NativeIOException e) {
      switch (e.errno()) {
        case Errno.EPERM ->
            throw e.withHint("creating TUN device " + name + " needs CAP_NET_ADMIN (run as root)");
        case Errno.EBUSY ->
            throw e.withHint(
                "device "
                    + name
                    + " exists and is not a free TUN"
                    + (multiQueue ? " queue" : "")
                    + " (another process has it, or it is another kind of link)");
        case Errno.EINVAL ->
            throw e.withHint(
                "device " + name + " exists with other flags (single- versus multi-queue)");
        case Errno.ENOTTY, Errno.EBADF ->
            throw e.withHint(name + ": the clone device is not the TUN driver");
        default -> throw e;
      }
    }
  }

  /**
   * Fixes the vnet header at 10 bytes and turns the offloads on, UDP included when the kernel knows
   * it (it refuses unknown bits with EINVAL); both are device-wide, so once is enough. Returns the
   * offloads in force.
   */
  private static int enableOffloads(Arena arena, int fd, String name) throws NativeIOException {
    MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
    size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
    LibC.ioctl(fd, TUNSETVNETHDRSZ, size.address(), "TUNSETVNETHDRSZ");
    try {
      LibC.ioctl(fd, TUNSETOFFLOAD, OFFLOADS_WANTED, "TUNSETOFFLOAD");
      return OFFLOADS_WANTED;
    } catch (NativeIOException e) {
      if (e.errno() != Errno.EINVAL) {
        throw e.withHint(name + ": the TUN driver refused its offloads");
      }
    }
    LibC.ioctl(fd, TUNSETOFFLOAD, OFFLOADS_WITHOUT_UDP, "TUNSETOFFLOAD");
    return OFFLOADS_WITHOUT_UDP;
  }

  /** The interface name the kernel gave the device. */
  public String name() {
    return name;
  }

  /** The interface index in the namespace the device was created in. */
  public int ifIndex() {
    return ifIndex;
  }

  /** Whether the device was opened with {@code IFF_MULTI_QUEUE}. */
  public boolean isMultiQueue() {
    return multiQueue;
  }

  /**
   * The {@code TUN_F_*} offloads in force ({@link #TUN_F_CSUM} and friends), 0 for a device opened
   * without them; non-zero means every queue reads and writes a {@link VirtioNetHeader} first.
   */
  public int offloads() {
    return offloads;
  }

  /** How many queues (fds) are open. */
  public int queueCount() {
    return queues.length;
  }

  /** Queue {@code i}, for the one thread that reads and writes through it. */
  public TunQueue queue(int i) {
    return queues[i];
  }

  /** Closes every queue; the kernel removes the device when the last one closes. */
  @Override
  public void close() throws NativeIOException {
    if (closed) {
      return;
    }
    closed = true;
    NativeIOException failure = null;
    for (TunQueue queue : queues) {
      try {
        LibC.close(queue.fd());
      } catch (NativeIOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
