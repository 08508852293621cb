package dev.parley.store.mongo.internal;

/**
 * Message ids: a room's sequence number as 16 lower-case hex digits, so that String order is number
 * order. Cursors coming from clients may be anything; {@link #firstSeqAfter} and {@link #lastSeqBefore}
 * turn any string into the sequence-number bound that String comparison with the ids implies.
 */
public final class MessageIds {
  /** The width of every id. */
  public static final int WIDTH = 16;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String DIGITS = "0123456789abcdef";

  private MessageIds() {
  }

  /** The id of sequence number {@code seq} (non-negative). */
  public static String of(long seq) {
    char[] out = new char[WIDTH];
    long value = seq;
    for (int i = WIDTH - 1; i >= 0; i--) {
      out[i] = HEX[(int) (value & 15)];
      value >>>= 4;
    }
    return new String(out);
  }

  /**
   * The smallest sequence number whose id is greater than {@code cursor} in String order, or
   * {@link Long#MAX_VALUE} when no id is.
   */
  public static long firstSeqAfter(String cursor) {
    String id = ceiling(cursor, 0);
    return id == null ? Long.MAX_VALUE : toSeq(id);
  }

  /**
   * The largest sequence number whose id is less than {@code cursor} in String order, or -1 when no id
   * is.
   */
  public static long lastSeqBefore(String cursor) {
    String id = floor(cursor, 0);
    return id == null ? -1 : toSeq(id);
  }

  private static long toSeq(String id) {
    // Ids of negative numbers (top bit set) are never assigned: clamp them to the ends.
    long value = Long.parseUnsignedLong(id, 16);
    return value < 0 ? Long.MAX_VALUE : value;
  }

  /** The least 16-hex-digit string greater than {@code x} that agrees with it before {@code i}, or null. */
  private static String ceiling(String x, int i) {
    if (i == WIDTH) {
      return null; // equal to x's first 16 chars, so not greater than x
    }
    if (i >= x.length()) {
      return x.substring(0, i) + "0".repeat(WIDTH - i); // x is a proper prefix: longer is greater
    }
    char c = x.charAt(i);
    if (DIGITS.indexOf(c) >= 0) {
      String rest = ceiling(x, i + 1);
      if (rest != null) {
        return rest;
      }
    }
    for (char d : HEX) {
      if (d > c) {
        return x.substring(0, i) + d + "0".repeat(WIDTH - i - 1);
      }
    }
    return null;
  }

  /** The greatest 16-hex-digit string less than {@code x} that agrees with it before {@code i}, or null. */
  private static String floor(String x, int i) {
    if (i == WIDTH) {
      return x.length() > WIDTH ? x.substring(0, WIDTH) : null;
    }
    if (i >= x.length()) {
      return null; // every extension of a prefix of x is greater than x
    }
    char c = x.charAt(i);
    if (DIGITS.indexOf(c) >= 0) {
      String rest = floor(x, i + 1);
      if (rest != null) {
        return rest;
      }
    }
    for (int k = HEX.length - 1; k >= 0; k--) {
      if (HEX[k] < c) {
        return x.substring(0, i) + HEX[k] + "f".repeat(WIDTH - i - 1);
      }
    }
    return null;
  }
}
