package dev.parley.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Makes client-supplied text (event and room names, namespaces, origins, session ids, parser messages)
 * safe to put in a log line or an error message: it can neither start a new line nor move the cursor,
 * recolour a terminal or reorder the text around it.
 *
 * <p>Escaped as {@code \n}, {@code \r} or {@code \}{@code uXXXX}: every ISO control character (C0, DEL,
 * C1, so ESC of ANSI sequences and NEL too), the Unicode line and paragraph separators, and format
 * characters (bidirectional overrides and isolates, zero-width characters, the byte order mark). A
 * backslash becomes {@code \\}, so an escaped text cannot be mistaken for the original. Long values are
 * cut, with the length they had. Stateless and thread-safe; transports use it for their own log lines.
 */
public final class LogSafe {
  /** How many characters {@link #quote} keeps. */
  public static final int QUOTE_LIMIT = 64;
  /** How many characters {@link #text} keeps. */
  public static final int TEXT_LIMIT = 256;

  private LogSafe() {
  }

  /**
   * The value in double quotes, escaped (a {@code "} inside becomes {@code \"}) and cut after
   * {@value #QUOTE_LIMIT} characters: {@code "chat\nevil"} for a name with a newline.
   *
   * @return the quoted value, or {@code null} (unquoted) for null
   */
  public static String quote(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), QUOTE_LIMIT) + 8).append('"');
    escape(value, QUOTE_LIMIT, true, out);
    out.append('"');
    return cut(value, QUOTE_LIMIT, out).toString();
  }

  /**
   * The value escaped without quotes and cut after {@value #TEXT_LIMIT} characters, for a message that
   * may carry client input (a parser's complaint about the bytes it got).
   *
   * @return the escaped value, or {@code null} for null
   */
  public static String text(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), TEXT_LIMIT) + 8);
    escape(value, TEXT_LIMIT, false, out);
    return cut(value, TEXT_LIMIT, out).toString();
  }

  /** Whether {@code c} is escaped: it could break a log line or change how the text around it shows. */
  public static boolean isUnsafe(char c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
        || Character.getType(c) == Character.FORMAT;
  }

  private static void escape(String value, int limit, boolean quotes, StringBuilder out) {
    int shown = Math.min(value.length(), limit);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      if (c == '\\' || (quotes && c == '"')) {
        out.append('\\').append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (isUnsafe(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
  }

  private static StringBuilder cut(String value, int limit, StringBuilder out) {
    return value.length() > limit ? out.append("…(").append(value.length()).append(" chars)") : out;
  }
}
