package dev.parley.protocol;

import java.nio.charset.StandardCharsets;

/**
 * What a client's JSON will hold in memory once parsed into a tree, estimated from the raw text in one pass
 * before it is parsed, so that the inbound byte budget and the rate limit apply before the parse costs
 * anything. Parsed JSON costs far more than its text: {@code [{},{},…]} is three characters per object and
 * about a hundred bytes per {@code ObjectNode}, so the estimate charges each array or object and each value
 * beside the characters themselves. It errs on the high side: it is a bound, not a measurement.
 */
public final class JsonCost {
  /** An {@code ObjectNode} or {@code ArrayNode} with its map or list. */
  static final int CONTAINER = 96;
  /** A value or a field name after a {@code ,} or {@code :}: its node and its entry. */
  static final int VALUE = 48;

  private JsonCost() {
  }

  /**
   * The estimated cost of {@code json} once parsed, in bytes: two per character (the text, then the strings
   * parsed out of it), {@value #CONTAINER} per array or object and {@value #VALUE} per separator outside
   * strings. The text need not be valid JSON. No allocation.
   */
  public static long of(CharSequence json) {
    return scan(json, Integer.MAX_VALUE);
  }

  /**
   * The one pass over JSON text that both this estimate and {@link JsonDepth} make: the cost, or -1 as soon
   * as arrays and objects nest deeper than {@code maxDepth}. Brackets and separators inside strings do not count.
   */
  static long scan(CharSequence json, int maxDepth) {
    long containers = 0;
    long separators = 0;
    int depth = 0;
    boolean inString = false;
    int n = json.length();
    for (int i = 0; i < n; i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        containers++;
        if (++depth > maxDepth) {
          return -1;
        }
      } else if (c == ']' || c == '}') {
        depth--;
      } else if (c == ',' || c == ':') {
        separators++;
      }
    }
    return 2L * n + CONTAINER * containers + VALUE * separators;
  }

  /**
   * {@link #of(CharSequence)} over UTF-8 bytes, read as Latin-1: the structural characters are ASCII and no
   * byte of a multi-byte sequence is, so the count is the same (a multi-byte character counts once per byte).
   */
  public static long of(byte[] json) {
    return of(new String(json, StandardCharsets.ISO_8859_1));
  }
}
