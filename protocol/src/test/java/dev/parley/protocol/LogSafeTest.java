package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Property
  void escapedTextHasNothingThatCanBreakOrRestyleALogLine(@ForAll String value) {
    for (String escaped : new String[] {LogSafe.text(value), LogSafe.quote(value)}) {
      assertThat(escaped.chars()).noneMatch(c -> LogSafe.isUnsafe((char) c.intValue()));
      assertThat(escaped).doesNotContain("\n", "\r", "\u001b", "\u0085", "\u2028", "\u2029");
    }
  }

  @Property
  void logInjectionCharactersAreEscapedNotDropped(
      @ForAll("hostileChars") char hostile,
      @ForAll @CharRange(from = 'a', to = 'z') char plain) {
    String escaped = LogSafe.text(plain + "" + hostile + plain);
    assertThat(escaped).startsWith(String.valueOf(plain)).endsWith(String.valueOf(plain));
    assertThat(escaped).hasSizeGreaterThan(3).contains("\\");
  }

  @Provide
  Arbitrary<Character> hostileChars() {
    return Arbitraries.of('\n', '\r', '\u001b', '\u0000', '\u007f', '\u0085', '\u2028', '\u2029', '\u202e', '\u200b',
        '\ufeff');
  }

  @Property
  void safeTextIsKeptAsItIs(@ForAll @CharRange(from = ' ', to = '~') String value) {
    if (value.length() <= LogSafe.TEXT_LIMIT && value.indexOf('\\') < 0) {
      assertThat(LogSafe.text(value)).isEqualTo(value);
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
