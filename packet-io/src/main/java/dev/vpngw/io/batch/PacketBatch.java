package dev.vpngw.io.batch;

import static java.nio.ByteOrder.BIG_ENDIAN;

import dev.vpngw.io.buffer.PacketBuffer;
import dev.vpngw.io.sys.LibC;
import dev.vpngw.io.sys.NativeIOException;
import dev.vpngw.io.sys.SockAddr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A batch of packets for one batched system call: {@link #capacity()} slots of {@link #slotSize()}
 * bytes in one off-heap {@link PacketBuffer} (slot {@code i} at {@code i * slotSize}), each with
 * the offset of its data within the slot, its length, and a peer socket address kept in native
 * memory where {@code recvmmsg} writes the sender and {@code sendmmsg} reads the destination.
 * Everything is allocated in the constructor; reading and writing slots, peers and the kernel's
 * message vector allocates nothing, so one batch per agent serves every call.
 *
 * <p>Receiving puts each packet at {@link #headroom()} bytes into its slot, leaving room in front
 * for headers the pipeline prepends in place (an outer IP/UDP/ESP header on the way out); the
 * pipeline may then move a slot's {@link #offset(int) offset} and {@link #length(int) length} as it
 * strips or adds headers, and a send takes each slot's data from where they point.
 *
 * <p>The native control block beside the packet memory, built once and only patched per call (LP64
 * layouts of {@code <sys/socket.h>} and {@code <sys/uio.h>}, the same on x86_64 and aarch64):
 *
 * <pre>
 * offset           contents                       per entry
 * 0                struct mmsghdr[capacity]       64 bytes: struct msghdr (56) + msg_len (4) + pad
 * 64 * capacity    struct iovec[capacity]         16 bytes: iov_base, iov_len
 * 80 * capacity    peer address[capacity]         32 bytes: sockaddr_in or sockaddr_in6 (SockAddr)
 * 112 * capacity   control message[capacity]      24 bytes: CMSG_SPACE(4), only with segments
 *
 * struct msghdr: 0 msg_name -> peer[i], 8 msg_namelen, 16 msg_iov -> iovec[i], 24 msg_iovlen = 1,
 *                32 msg_control = NULL, 40 msg_controllen = 0, 48 msg_flags
 * struct cmsghdr: 0 cmsg_len, 8 cmsg_level, 12 cmsg_type, 16 data
 * </pre>
 *
 * <p>Only {@code iov_base}, {@code iov_len} and {@code msg_namelen} change per call: a receive
 * resets them to the full slot and the largest address, a send to each slot's data and address
 * family. A batch is used by one thread at a time.
 *
 * <p>A batch made {@linkplain #PacketBatch(Arena, int, int, int, boolean) with segments} carries
 * UDP's segmentation offloads (Linux's {@code udp(7)}): a slot to send may hold several datagrams
 * of {@link #segmentSize(int)} bytes back to back (the last may be shorter), which one {@code
 * UDP_SEGMENT} control message asks the kernel to send as that many datagrams; and on a socket with
 * {@code UDP_GRO} a received slot may hold several datagrams of one sender that the kernel
 * coalesced, their size in a {@code UDP_GRO} control message, which the receive reads into {@link
 * #segmentSize(int)}. Such slots must then be able to hold 64 KiB.
 */
public final class PacketBatch {
  /** The most messages one recvmmsg/sendmmsg takes ({@code UIO_MAXIOV}). */
  public static final int MAX_CAPACITY = 1024;

  /** {@code sizeof(struct mmsghdr)} on LP64. */
  public static final int MMSGHDR_LENGTH = 64;

  /** {@code sizeof(struct iovec)} on LP64. */
  public static final int IOVEC_LENGTH = 16;

  /** Offset of {@code msg_name} in struct msghdr (and so in struct mmsghdr). */
  public static final int MSG_NAME_OFFSET = 0;

  /** Offset of {@code msg_namelen} (socklen_t) in struct msghdr. */
  public static final int MSG_NAMELEN_OFFSET = 8;

  /** Offset of {@code msg_iov} in struct msghdr. */
  public static final int MSG_IOV_OFFSET = 16;

  /** Offset of {@code msg_iovlen} (size_t) in struct msghdr. */
  public static final int MSG_IOVLEN_OFFSET = 24;

  /** Offset of {@code msg_control} in struct msghdr. */
  public static final int MSG_CONTROL_OFFSET = 32;

  /** Offset of {@code msg_controllen} (size_t) in struct msghdr. */
  public static final int MSG_CONTROLLEN_OFFSET = 40;

  /** Offset of {@code msg_flags} (int) in struct msghdr. */
  public static final int MSG_FLAGS_OFFSET = 48;

  /** Offset of {@code msg_len} (unsigned int: bytes received or sent) in struct mmsghdr. */
  public static final int MSG_LEN_OFFSET = 56;

  /** Offset of {@code iov_base} in struct iovec. */
  public static final int IOV_BASE_OFFSET = 0;

  /** Offset of {@code iov_len} (size_t) in struct iovec. */
  public static final int IOV_LEN_OFFSET = 8;

  /** {@code SOL_UDP} (= {@code IPPROTO_UDP}): the level of UDP's segmentation options. */
  public static final int SOL_UDP = 17;

  /** {@code UDP_SEGMENT}: a send's payload is cut into datagrams of this many bytes (u16). */
  public static final int UDP_SEGMENT = 103;

  /** {@code UDP_GRO}: the socket takes coalesced datagrams; a receive says their size (int). */
  public static final int UDP_GRO = 104;

  /** {@code CMSG_SPACE(sizeof(int))}: one control message with a value of up to 4 bytes. */
  public static final int CMSG_SPACE = 24;

  /** Offset of {@code cmsg_len} (size_t) in struct cmsghdr. */
  public static final int CMSG_LEN_OFFSET = 0;

  /** Offset of {@code cmsg_level} (int) in struct cmsghdr. */
  public static final int CMSG_LEVEL_OFFSET = 8;

  /** Offset of {@code cmsg_type} (int) in struct cmsghdr. */
  public static final int CMSG_TYPE_OFFSET = 12;

  /** Offset of the data ({@code CMSG_DATA}) after struct cmsghdr. */
  public static final int CMSG_DATA_OFFSET = 16;

  private final int capacity;
  private final int slotSize;
  private final int headroom;
  private final PacketBuffer buffer;
  private final long bufferAddress;
  // Held so the automatic or caller's arena keeps the control block alive as long as the batch.
  private final MemorySegment control;
  private final UnsafeBuffer controlBuffer;
  private final long controlAddress;
  private final int iovecsOffset;
  private final int peersOffset;
  private final int cmsgsOffset;
  private final int[] offsets;
  private final int[] lengths;
  private final int[] segmentSizes; // null without segments
  private int count;

  /**
   * A batch of {@code capacity} slots of {@code slotSize} bytes, receiving at {@code headroom}
   * bytes into each slot, with packet memory and control block allocated from {@code arena}.
   */
  public PacketBatch(Arena arena, int capacity, int slotSize, int headroom) {
    this(arena, capacity, slotSize, headroom, false);
  }

  /**
   * As {@link #PacketBatch(Arena, int, int, int)}, with {@code segments}: room for one UDP
   * segmentation control message per slot (see the class comment).
   */
  public PacketBatch(Arena arena, int capacity, int slotSize, int headroom, boolean segments) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ": " + capacity);
    }
    if (headroom < 0 || slotSize <= headroom) {
      throw new IllegalArgumentException(
          "need 0 <= headroom < slotSize: headroom " + headroom + ", slotSize " + slotSize);
    }
    this.capacity = capacity;
    this.slotSize = slotSize;
    this.headroom = headroom;
    this.buffer = PacketBuffer.allocate(arena, Math.multiplyExact(capacity, slotSize));
    this.bufferAddress = buffer.address();
    this.iovecsOffset = capacity * MMSGHDR_LENGTH;
    this.peersOffset = iovecsOffset + capacity * IOVEC_LENGTH;
    this.cmsgsOffset = peersOffset + capacity * SockAddr.STORAGE_LENGTH;
    int controlLength = cmsgsOffset + (segments ? capacity * CMSG_SPACE : 0);
    this.segmentSizes = segments ? new int[capacity] : null;
    this.control = arena.allocate(controlLength, 64);
    this.controlAddress = control.address();
    this.controlBuffer = new UnsafeBuffer(controlAddress, controlLength);
    this.offsets = new int[capacity];
    this.lengths = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      int msg = i * MMSGHDR_LENGTH;
      controlBuffer.putLong(msg + MSG_NAME_OFFSET, controlAddress + peerOffset(i));
      controlBuffer.putInt(msg + MSG_NAMELEN_OFFSET, SockAddr.IPV6_LENGTH);
      controlBuffer.putLong(msg + MSG_IOV_OFFSET, controlAddress + iovecOffset(i));
      controlBuffer.putLong(msg + MSG_IOVLEN_OFFSET, 1L);
      controlBuffer.putLong(msg + MSG_CONTROL_OFFSET, 0L);
      controlBuffer.putLong(msg + MSG_CONTROLLEN_OFFSET, 0L);
      offsets[i] = headroom;
    }
  }

  /** How many slots the batch has. */
  public int capacity() {
    return capacity;
  }

  /** Bytes per slot, headroom included. */
  public int slotSize() {
    return slotSize;
  }

  /** Where in its slot a received packet starts. */
  public int headroom() {
    return headroom;
  }

  /** The largest packet a receive takes without truncating: {@code slotSize - headroom}. */
  public int receiveCapacity() {
    return slotSize - headroom;
  }

  /** The packet memory of all slots. */
  public PacketBuffer buffer() {
    return buffer;
  }

  /** How many slots, from 0, hold packets. */
  public int count() {
    return count;
  }

  /** Sets how many slots, from 0, hold packets (after filling them to send). */
  public PacketBatch count(int count) {
    if (count < 0 || count > capacity) {
      throw new IllegalArgumentException("count must be 0.." + capacity + ": " + count);
    }
    this.count = count;
    return this;
  }

  /** Offset of slot {@code i} in {@link #buffer()}. */
  public int slotOffset(int i) {
    return i * slotSize;
  }

  /** Offset of slot {@code i}'s data within its slot. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Moves slot {@code i}'s data start, as in after stripping or before prepending a header. */
  public PacketBatch offset(int i, int offset) {
    offsets[i] = offset;
    return this;
  }

  /** Offset of slot {@code i}'s data in {@link #buffer()}: where a flyweight wraps it. */
  public int dataOffset(int i) {
    return i * slotSize + offsets[i];
  }

  /** Native address of slot {@code i}'s data. */
  public long dataAddress(int i) {
    return bufferAddress + (long) i * slotSize + offsets[i];
  }

  /** Length of slot {@code i}'s data. */
  public int length(int i) {
    return lengths[i];
  }

  /** Sets the length of slot {@code i}'s data. */
  public PacketBatch length(int i, int length) {
    lengths[i] = length;
    return this;
  }

  /** Whether the batch carries UDP segmentation control messages. */
  public boolean hasSegments() {
    return segmentSizes != null;
  }

  /**
   * The size of the datagrams slot {@code i} holds back to back: after a receive, what the kernel's
   * {@code UDP_GRO} message said (0 when it held one plain datagram); for a send, what {@link
   * #segmentSize(int, int)} set. Always 0 in a batch without segments.
   */
  public int segmentSize(int i) {
    return segmentSizes == null ? 0 : segmentSizes[i];
  }

  /**
   * Makes the send of slot {@code i} cut its data into datagrams of {@code size} bytes ({@code
   * UDP_SEGMENT}); 0 sends it as one datagram.
   *
   * @throws IllegalStateException on a batch without segments
   */
  public PacketBatch segmentSize(int i, int size) {
    if (segmentSizes == null) {
      throw new IllegalStateException("a batch without segments");
    }
    segmentSizes[i] = size;
    return this;
  }

  /**
   * Whether the datagram received into slot {@code i} was longer than {@link #receiveCapacity()}
   * and lost its tail ({@code MSG_TRUNC} in the message flags); {@link #length(int)} is then the
   * truncated length. Meaningful after a socket receive only.
   */
  public boolean truncated(int i) {
    return (controlBuffer.getInt(i * MMSGHDR_LENGTH + MSG_FLAGS_OFFSET) & LibC.MSG_TRUNC) != 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Peer addresses: the sender after a receive, the destination for a send.

  /** The address family of slot {@code i}'s peer: {@link LibC#AF_INET}, {@link LibC#AF_INET6}. */
  public int family(int i) {
    return SockAddr.family(controlBuffer, peerOffset(i));
  }

  /** Whether slot {@code i}'s peer is an IPv6 address. */
  public boolean isIpv6(int i) {
    return family(i) == LibC.AF_INET6;
  }

  /** Slot {@code i}'s peer port (0 on raw sockets). */
  public int port(int i) {
    return SockAddr.port(controlBuffer, peerOffset(i));
  }

  /** Slot {@code i}'s peer IPv4 address as a big-endian int (meaningful when not IPv6). */
  public int ipv4Address(int i) {
    return controlBuffer.getInt(peerOffset(i) + SockAddr.IPV4_ADDRESS_OFFSET, BIG_ENDIAN);
  }

  /**
   * Copies slot {@code i}'s peer IP address into {@code dst} and returns its length: 4 for IPv4, 16
   * for IPv6.
   */
  public int peerAddress(int i, MutableDirectBuffer dst, int dstOffset) {
    return SockAddr.copyAddress(controlBuffer, peerOffset(i), dst, dstOffset);
  }

  /** Sets slot {@code i}'s peer to the {@code length}-byte (4 or 16) address in {@code src}. */
  public PacketBatch peer(int i, DirectBuffer src, int srcOffset, int length, int port) {
    SockAddr.write(controlBuffer, peerOffset(i), src, srcOffset, length, port);
    return this;
  }

  /** Sets slot {@code i}'s peer to a 4- or 16-byte address. */
  public PacketBatch peer(int i, byte[] address, int port) {
    SockAddr.write(controlBuffer, peerOffset(i), address, port);
    return this;
  }

  /** Sets slot {@code i}'s peer to an IPv4 address given as a big-endian int. */
  public PacketBatch peerIpv4(int i, int address, int port) {
    SockAddr.writeIpv4(controlBuffer, peerOffset(i), address, port);
    return this;
  }

  /** Copies slot {@code srcSlot}'s peer of {@code src} to slot {@code i}, as in replying. */
  public PacketBatch copyPeer(int i, PacketBatch src, int srcSlot) {
    controlBuffer.putBytes(
        peerOffset(i), src.controlBuffer, src.peerOffset(srcSlot), SockAddr.STORAGE_LENGTH);
    return this;
  }

  /** Slot {@code i}'s peer as a JDK address: allocates, so for logs and the control plane only. */
  public InetSocketAddress peerSocketAddress(int i) {
    return SockAddr.read(controlBuffer, peerOffset(i));
  }

  // ---------------------------------------------------------------------------------------------
  // The kernel's view, for the socket classes.

  /**
   * One non-blocking {@code recvmmsg} on {@code fd} into this batch (UDP or raw sockets alike);
   * returns how many datagrams arrived, 0 when none was waiting.
   */
  public int receive(int fd) throws NativeIOException {
    int n = LibC.recvmmsg(fd, prepareReceive(), capacity(), LibC.MSG_DONTWAIT);
    completeReceive(n);
    return n;
  }

  /**
   * One {@code sendmmsg} on {@code fd} of slots {@code from .. from + count - 1}; how many went.
   */
  public int send(int fd, int from, int count) throws NativeIOException {
    return count == 0 ? 0 : LibC.sendmmsg(fd, prepareSend(from, count), count, 0);
  }

  /**
   * Readies every slot to receive a full {@link #receiveCapacity()} at {@link #headroom()}, with
   * room for an IPv6 sender address, empties the batch, and returns the address of the message
   * vector to pass to {@code recvmmsg} with {@link #capacity()} entries.
   */
  public long prepareReceive() {
    long iovLength = slotSize - headroom;
    for (int i = 0; i < capacity; i++) {
      offsets[i] = headroom;
      int iov = iovecOffset(i);
      controlBuffer.putLong(iov + IOV_BASE_OFFSET, bufferAddress + (long) i * slotSize + headroom);
      controlBuffer.putLong(iov + IOV_LEN_OFFSET, iovLength);
      controlBuffer.putInt(i * MMSGHDR_LENGTH + MSG_NAMELEN_OFFSET, SockAddr.IPV6_LENGTH);
      if (segmentSizes != null) {
        controlBuffer.putLong(i * MMSGHDR_LENGTH + MSG_CONTROL_OFFSET, controlAddress + cmsg(i));
        controlBuffer.putLong(i * MMSGHDR_LENGTH + MSG_CONTROLLEN_OFFSET, CMSG_SPACE);
      }
    }
    count = 0;
    return controlAddress;
  }

  /**
   * Records what {@code recvmmsg} returned: the first {@code received} slots now hold packets (and,
   * with segments, the size of the datagrams the kernel coalesced into each, if it did).
   */
  public void completeReceive(int received) {
    for (int i = 0; i < received; i++) {
      int msg = i * MMSGHDR_LENGTH;
      lengths[i] = controlBuffer.getInt(msg + MSG_LEN_OFFSET);
      if (segmentSizes != null) {
        // The kernel shortens msg_controllen to what it wrote: nothing, or the UDP_GRO message.
        int cmsg = cmsg(i);
        boolean gro =
            controlBuffer.getLong(msg + MSG_CONTROLLEN_OFFSET) >= CMSG_DATA_OFFSET + Integer.BYTES
                && controlBuffer.getInt(cmsg + CMSG_LEVEL_OFFSET) == SOL_UDP
                && controlBuffer.getInt(cmsg + CMSG_TYPE_OFFSET) == UDP_GRO;
        segmentSizes[i] = gro ? controlBuffer.getInt(cmsg + CMSG_DATA_OFFSET) : 0;
      }
    }
    count = received;
  }

  /**
   * Points the messages for slots {@code from .. from + count - 1} at each slot's data and peer,
   * and returns the address of message {@code from}, to pass to {@code sendmmsg} with {@code count}
   * entries. A slot whose peer is unset goes with no address (for connected sockets).
   */
  public long prepareSend(int from, int count) {
    if (from < 0 || count < 0 || from + count > capacity) {
      throw new IndexOutOfBoundsException(
          "slots " + from + ".." + (from + count) + " outside " + capacity);
    }
    for (int i = from, end = from + count; i < end; i++) {
      int iov = iovecOffset(i);
      controlBuffer.putLong(iov + IOV_BASE_OFFSET, dataAddress(i));
      controlBuffer.putLong(iov + IOV_LEN_OFFSET, lengths[i]);
      controlBuffer.putInt(i * MMSGHDR_LENGTH + MSG_NAMELEN_OFFSET, SockAddr.length(family(i)));
      if (segmentSizes != null) {
        prepareSegments(i);
      }
    }
    return controlAddress + (long) from * MMSGHDR_LENGTH;
  }

  /** Slot {@code i}'s UDP_SEGMENT control message, or none when it is one plain datagram. */
  private void prepareSegments(int i) {
    int msg = i * MMSGHDR_LENGTH;
    if (segmentSizes[i] == 0) {
      controlBuffer.putLong(msg + MSG_CONTROL_OFFSET, 0L);
      controlBuffer.putLong(msg + MSG_CONTROLLEN_OFFSET, 0L);
      return;
    }
    int cmsg = cmsg(i);
    controlBuffer.putLong(cmsg + CMSG_LEN_OFFSET, CMSG_DATA_OFFSET + Short.BYTES);
    controlBuffer.putInt(cmsg + CMSG_LEVEL_OFFSET, SOL_UDP);
    controlBuffer.putInt(cmsg + CMSG_TYPE_OFFSET, UDP_SEGMENT);
    controlBuffer.putShort(cmsg + CMSG_DATA_OFFSET, (short) segmentSizes[i]);
    controlBuffer.putLong(msg + MSG_CONTROL_OFFSET, controlAddress + cmsg);
    controlBuffer.putLong(msg + MSG_CONTROLLEN_OFFSET, CMSG_SPACE);
  }

  private int cmsg(int i) {
    return cmsgsOffset + i * CMSG_SPACE;
  }

  private int iovecOffset(int i) {
    return iovecsOffset + i * IOVEC_LENGTH;
  }

  private int peerOffset(int i) {
    return peersOffset + i * SockAddr.STORAGE_LENGTH;
  }
}
