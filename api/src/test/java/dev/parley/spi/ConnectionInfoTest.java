package dev.parley.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionInfoTest {

  @Test
  void httpLowerCasesHeaderNamesAndReadsCookiesFromEveryCookieHeader() {
    Map<String, List<String>> sent = Map.of(
        "Cookie", List.of("nick=alice; theme=\"dark\"", "nick=mallory; lang=en"),
        "X-Forwarded-For", List.of("10.0.0.1"));
    ConnectionInfo info = ConnectionInfo.http("sse", "127.0.0.1:5000", "/sse/general", sent.keySet(),
        sent::get, Map.of("room", new String[] {"general", "random"}));

    assertThat(info.headers()).containsEntry("x-forwarded-for", List.of("10.0.0.1"));
    assertThat(info.cookies()).containsExactlyInAnyOrderEntriesOf(Map.of("nick", "alice", "theme", "dark", "lang", "en"));
    assertThat(info.query()).containsEntry("room", List.of("general", "random"));
    assertThat(info.path()).isEqualTo("/sse/general");
  }

  @Test
  void malformedCookiePairsAreIgnored() {
    Map<String, List<String>> sent = Map.of("cookie", List.of("=orphan; novalue; ok=1"));
    ConnectionInfo info = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/", sent.keySet(), sent::get, Map.of());

    assertThat(info.cookies()).containsExactly(Map.entry("ok", "1"));
  }
}
