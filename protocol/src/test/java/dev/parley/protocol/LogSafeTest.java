package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  /** Every UTF-16 unit, alone and between plain text, and a lone surrogate pair's halves the wrong way round. */
  @Test
  void escapedTextHasNothingThatCanBreakOrRestyleALogLine() {
    StringBuilder all = new StringBuilder();
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      all.append((char) c);
      String value = (char) c + "x" + (char) c;
      check(value);
    }
    check(all.toString());
    check("\udc00\ud800");
  }

  private static void check(String value) {
    for (String escaped : new String[] {LogSafe.text(value), LogSafe.quote(value)}) {
      assertThat(escaped.chars()).noneMatch(c -> LogSafe.isUnsafe((char) c.intValue()));
      assertThat(escaped).doesNotContain("\n", "\r", "\u001b", "\u0085", "\u2028", "\u2029");
    }
  }

  @Test
  void logInjectionCharactersAreEscapedNotDropped() {
    for (char hostile : new char[] {'\n', '\r', '\u001b', '\u0000', '\u007f', '\u0085', '\u2028', '\u2029', '\u202e',
        '\u200b', '\ufeff'}) {
      for (char plain = 'a'; plain <= 'z'; plain++) {
        String escaped = LogSafe.text(plain + "" + hostile + plain);
        assertThat(escaped).startsWith(String.valueOf(plain)).endsWith(String.valueOf(plain));
        assertThat(escaped).hasSizeGreaterThan(3).contains("\\");
      }
    }
  }

  /** Printable ASCII but the backslash, up to the limit: every such character, in runs of every length. */
  @Test
  void safeTextIsKeptAsItIs() {
    StringBuilder printable = new StringBuilder();
    for (char c = ' '; c <= '~'; c++) {
      if (c != '\\') {
        printable.append(c);
      }
    }
    for (int from = 0; from < printable.length(); from++) {
      for (int to = from; to <= Math.min(printable.length(), from + LogSafe.TEXT_LIMIT); to++) {
        String value = printable.substring(from, to);
        assertThat(LogSafe.text(value)).isEqualTo(value);
      }
    }
  }

  @Test
  void escapesReadablyAndCutsLongValues() {
    assertThat(LogSafe.quote("chat\r\nERROR forged\u001b[31m")).isEqualTo("\"chat\\r\\nERROR forged\\u001b[31m\"");
    assertThat(LogSafe.quote("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
    assertThat(LogSafe.text("bidi\u202etxt.exe\u2028next")).isEqualTo("bidi\\u202etxt.exe\\u2028next");
    assertThat(LogSafe.quote("r".repeat(100))).isEqualTo("\"" + "r".repeat(64) + "\"…(100 chars)");
    assertThat(LogSafe.text(null)).isEqualTo("null");
    // Names.quote, in every validation message, is the same escaping.
    assertThat(Names.quote("lobby\u0000")).isEqualTo("\"lobby\\u0000\"");
  }
}
