package dev.parley.store.mongo.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * Message ids: {@code <seq>-<room tag>}, the room's sequence number as 16 lower-case hex digits, a dash,
 * and 16 hex digits derived from the room's (namespace, name). Every id of a room has the same width and
 * the same tail, so String order within a room is number order; the tag makes ids of different rooms
 * different (two rooms share a tag only with the odds of a 64-bit hash collision), without making them
 * comparable. Cursors coming from clients may be anything; {@link #firstSeqAfter} and
 * {@link #lastSeqBefore} turn any string into the sequence-number bound that String comparison with the
 * room's ids implies.
 */
public final class MessageIds {
  /** The width of the sequence-number part of an id. */
  public static final int SEQ_WIDTH = 16;
  /** The width of the room tag. */
  public static final int TAG_WIDTH = 16;
  /** The width of every id. */
  public static final int WIDTH = SEQ_WIDTH + 1 + TAG_WIDTH;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String DIGITS = "0123456789abcdef";

  private MessageIds() {
  }

  /** The id of sequence number {@code seq} (non-negative) in a room. */
  public static String of(long seq, String namespace, String room) {
    return hex(seq) + suffix(namespace, room);
  }

  /** What follows the sequence number in each id of a room: a dash and the room's tag. */
  public static String suffix(String namespace, String room) {
    return "-" + tag(namespace, room);
  }

  /** The room's tag: the first 64 bits of SHA-256 over its namespace and name, as 16 hex digits. */
  static String tag(String namespace, String room) {
    byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
    byte[] name = room.getBytes(StandardCharsets.UTF_8);
    // Length-prefixed, so that no other (namespace, room) pair hashes the same bytes.
    ByteBuffer input = ByteBuffer.allocate(4 + ns.length + name.length).putInt(ns.length).put(ns).put(name);
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    return hex(ByteBuffer.wrap(sha256.digest(input.array())).getLong());
  }

  private static String hex(long value) {
    char[] out = new char[SEQ_WIDTH];
    long rest = value;
    for (int i = SEQ_WIDTH - 1; i >= 0; i--) {
      out[i] = HEX[(int) (rest & 15)];
      rest >>>= 4;
    }
    return new String(out);
  }

  /**
   * The smallest sequence number whose id ({@code seq} as hex, then {@code suffix}) is greater than
   * {@code cursor} in String order, or {@link Long#MAX_VALUE} when no id is.
   */
  public static long firstSeqAfter(String cursor, String suffix) {
    // An id whose number part equals the cursor's first 16 chars compares by the rest: the suffix.
    if (startsWithNumber(cursor) && suffix.compareTo(cursor.substring(SEQ_WIDTH)) > 0) {
      return toSeq(cursor.substring(0, SEQ_WIDTH));
    }
    String id = ceiling(cursor, 0);
    return id == null ? Long.MAX_VALUE : toSeq(id);
  }

  /**
   * The largest sequence number whose id ({@code seq} as hex, then {@code suffix}) is less than
   * {@code cursor} in String order, or -1 when no id is.
   */
  public static long lastSeqBefore(String cursor, String suffix) {
    if (startsWithNumber(cursor) && suffix.compareTo(cursor.substring(SEQ_WIDTH)) < 0) {
      return toSeq(cursor.substring(0, SEQ_WIDTH));
    }
    String id = floor(cursor.length() > SEQ_WIDTH ? cursor.substring(0, SEQ_WIDTH) : cursor, 0);
    return id == null ? -1 : toSeq(id);
  }

  private static boolean startsWithNumber(String cursor) {
    if (cursor.length() < SEQ_WIDTH) {
      return false;
    }
    for (int i = 0; i < SEQ_WIDTH; i++) {
      if (DIGITS.indexOf(cursor.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static long toSeq(String number) {
    // Numbers with the top bit set are never assigned: clamp them to the ends.
    long value = Long.parseUnsignedLong(number, 16);
    return value < 0 ? Long.MAX_VALUE : value;
  }

  /**
   * The least 16-hex-digit string greater than {@code x}'s first 16 chars (than {@code x} if shorter)
   * that agrees with it before {@code i}, or null.
   */
  private static @Nullable String ceiling(String x, int i) {
    if (i == SEQ_WIDTH) {
      return null; // equal to x's first 16 chars, so not greater
    }
    if (i >= x.length()) {
      return x.substring(0, i) + "0".repeat(SEQ_WIDTH - i); // x is a proper prefix: longer is greater
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
        return x.substring(0, i) + d + "0".repeat(SEQ_WIDTH - i - 1);
      }
    }
    return null;
  }

  /**
   * The greatest 16-hex-digit string less than {@code x} (at most 16 chars) that agrees with it before
   * {@code i}, or null.
   */
  private static @Nullable String floor(String x, int i) {
    if (i == SEQ_WIDTH || i >= x.length()) {
      return null; // equal to x, or an extension of a prefix of x: not less
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
        return x.substring(0, i) + HEX[k] + "f".repeat(SEQ_WIDTH - i - 1);
      }
    }
    return null;
  }
}
