package dev.vpngw.fib;

/**
 * A path-compressed binary trie over 128-bit keys, flattened into one {@code long[]} for
 * allocation-free, lock-free lookups: the layout descriptor, the builder and the lookup of the
 * {@link Fib}'s per-family tables.
 *
 * <p>Each node holds a prefix and, unless it only branches, a value. A node exists only where a
 * route ends or where two routes part, so a table of n routes has fewer than 2n + 1 nodes whatever
 * the address family (a stride-8 multibit trie would need a 2 KiB node per byte of every long IPv6
 * prefix). The lookup walks from the root while the node's prefix covers the address, remembers the
 * last value seen (the longest match so far, since deeper nodes have longer prefixes) and takes the
 * child named by the next bit. Every node check compares the whole prefix with two masked XORs, so
 * skipped bits need no special case.
 *
 * <pre>
 *  node i at index 4i:
 *  +------------------------------------------------------------------+
 *  | prefix, high 64 bits                                             |
 *  | prefix, low 64 bits                                              |
 *  | prefix length (high 32 bits)   | value, or -1 (low 32 bits)      |
 *  | child for bit 0 (high 32 bits) | child for bit 1 (low 32 bits)   |
 *  +------------------------------------------------------------------+
 * </pre>
 *
 * The root (node 0, the zero-length prefix) is always present and never anyone's child, so 0 marks
 * a missing child. Nodes for a parent and its children are laid out depth first, so a lookup tends
 * to read forward.
 */
final class PrefixTrie {
  /** Longs per node. */
  static final int NODE_LONGS = 4;

  private static final int HIGH = 0;
  private static final int LOW = 1;
  private static final int LENGTH_VALUE = 2;
  private static final int CHILDREN = 3;
  private static final int MAX_BITS = 128;
  private static final long[] MASK_HIGH = new long[MAX_BITS + 1];
  private static final long[] MASK_LOW = new long[MAX_BITS + 1];

  static {
    for (int bits = 0; bits <= MAX_BITS; bits++) {
      MASK_HIGH[bits] = IpPrefix.maskHigh(bits);
      MASK_LOW[bits] = IpPrefix.maskLow(bits);
    }
  }

  /** A trie with only an empty root: every lookup misses. */
  static final long[] EMPTY = new long[] {0, 0, Fib.NO_ROUTE & 0xffff_ffffL, 0};

  private PrefixTrie() {}

  /**
   * The value of the longest prefix covering the 128-bit address ({@code high}, {@code low}), or
   * {@link Fib#NO_ROUTE}.
   */
  static int lookup(long[] nodes, long high, long low) {
    int best = Fib.NO_ROUTE;
    int node = 0;
    while (true) {
      int base = node * NODE_LONGS;
      long lengthValue = nodes[base + LENGTH_VALUE];
      int length = (int) (lengthValue >>> 32);
      if (((high ^ nodes[base + HIGH]) & MASK_HIGH[length]) != 0
          || ((low ^ nodes[base + LOW]) & MASK_LOW[length]) != 0) {
        return best;
      }
      int value = (int) lengthValue;
      if (value != Fib.NO_ROUTE) {
        best = value;
      }
      if (length == MAX_BITS) {
        return best;
      }
      long children = nodes[base + CHILDREN];
      node = bit(high, low, length) == 0 ? (int) (children >>> 32) : (int) children;
      if (node == 0) {
        return best;
      }
    }
  }

  /** Builds the flat trie from routes given as parallel arrays. Control thread only. */
  static long[] build(long[] highs, long[] lows, int[] lengths, int[] values, int count) {
    BuildNode root = new BuildNode(0, 0, 0, Fib.NO_ROUTE);
    int nodeCount = 1;
    for (int i = 0; i < count; i++) {
      nodeCount += insert(root, highs[i], lows[i], lengths[i], values[i]);
    }
    long[] nodes = new long[nodeCount * NODE_LONGS];
    int written = flatten(root, nodes, 0);
    if (written != nodeCount) {
      throw new IllegalStateException("trie node count " + written + " != " + nodeCount);
    }
    return nodes;
  }

  /** Inserts one route (keys are distinct); returns how many nodes it added (0 to 2). */
  private static int insert(BuildNode root, long high, long low, int length, int value) {
    BuildNode node = root;
    while (true) {
      // Invariant: node's prefix covers the new key and is no longer than it.
      if (node.length == length) {
        node.value = value;
        return 0;
      }
      int bit = bit(high, low, node.length);
      BuildNode child = node.children[bit];
      if (child == null) {
        node.children[bit] = new BuildNode(high, low, length, value);
        return 1;
      }
      int common =
          Math.min(
              Math.min(commonPrefixLength(high, low, child.high, child.low), length), child.length);
      if (common == child.length) {
        node = child;
        continue;
      }
      if (common == length) {
        BuildNode inserted = new BuildNode(high, low, length, value);
        inserted.children[bit(child.high, child.low, length)] = child;
        node.children[bit] = inserted;
        return 1;
      }
      BuildNode branch = new BuildNode(high, low, common, Fib.NO_ROUTE);
      branch.children[bit(child.high, child.low, common)] = child;
      branch.children[bit(high, low, common)] = new BuildNode(high, low, length, value);
      node.children[bit] = branch;
      return 2;
    }
  }

  /**
   * Writes {@code node} at index {@code index} and its subtrees after it; returns nodes written.
   */
  private static int flatten(BuildNode node, long[] nodes, int index) {
    int base = index * NODE_LONGS;
    nodes[base + HIGH] = node.high;
    nodes[base + LOW] = node.low;
    nodes[base + LENGTH_VALUE] = ((long) node.length << 32) | (node.value & 0xffff_ffffL);
    int written = 1;
    int zero = 0;
    int one = 0;
    if (node.children[0] != null) {
      zero = index + written;
      written += flatten(node.children[0], nodes, zero);
    }
    if (node.children[1] != null) {
      one = index + written;
      written += flatten(node.children[1], nodes, one);
    }
    nodes[base + CHILDREN] = ((long) zero << 32) | (one & 0xffff_ffffL);
    return written;
  }

  /** Bit {@code index} (0 = most significant) of the 128-bit number. */
  private static int bit(long high, long low, int index) {
    return index < 64 ? (int) (high >>> (63 - index)) & 1 : (int) (low >>> (127 - index)) & 1;
  }

  private static int commonPrefixLength(long high1, long low1, long high2, long low2) {
    long differ = high1 ^ high2;
    if (differ != 0) {
      return Long.numberOfLeadingZeros(differ);
    }
    return 64 + Long.numberOfLeadingZeros(low1 ^ low2);
  }

  /** A node of the pointer-based trie the flat one is built from; garbage once built. */
  private static final class BuildNode {
    final long high;
    final long low;
    final int length;
    int value;
    final BuildNode[] children = new BuildNode[2];

    BuildNode(long high, long low, int length, int value) {
      this.high = high & MASK_HIGH[length];
      this.low = low & MASK_LOW[length];
      this.length = length;
      this.value = value;
    }
  }
}
