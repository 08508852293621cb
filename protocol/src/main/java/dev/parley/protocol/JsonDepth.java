package dev.parley.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The nesting bound on JSON a client sends, checked on the raw text before it is parsed, so both
 * transports refuse the same inputs whatever {@code JsonMapper} the application configured.
 *
 * <p>Why a bound below Jackson's own (500 by default): a tree the server accepted must still be writable
 * after the engine or the application wraps it (an ack's {@code {"ackId", "args": [...]}}, an application
 * object around a client's argument), it must fit a MongoDB document (100 levels at most), and the
 * recursive walks over binary placeholders must stay shallow. Chat payloads are nowhere near 64 levels.
 */
public final class JsonDepth {
  /** The deepest nesting of arrays and objects accepted from a client, counting the outermost. */
  public static final int MAX = 64;

  private JsonDepth() {
  }

  /**
   * Whether arrays and objects in {@code json} nest deeper than {@code max}. Brackets inside strings do
   * not count. One pass, no allocation; the text need not be valid JSON (the parser judges that).
   */
  public static boolean exceeds(CharSequence json, int max) {
    return JsonCost.scan(json, max) < 0;
  }

  /**
   * {@link #exceeds(CharSequence, int)} over UTF-8 bytes, read as Latin-1 (a plain copy): the structural
   * characters are ASCII, and no byte of a multi-byte UTF-8 sequence is, so the depth is the same.
   */
  public static boolean exceeds(byte[] json, int max) {
    return exceeds(new String(json, StandardCharsets.ISO_8859_1), max);
  }
}
