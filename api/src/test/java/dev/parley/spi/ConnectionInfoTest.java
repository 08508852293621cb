package dev.parley.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
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

  @Test
  void headerNamesDifferingOnlyInCaseAreMergedInOrderAndLowerCased() {
    Map<String, List<String>> sent = new LinkedHashMap<>();
    sent.put("Authorization", List.of("k1"));
    sent.put("X-Trace", List.of("a", "b"));
    sent.put("HOST", List.of("example.org"));
    sent.put("x-TRACE", List.of("c"));
    ConnectionInfo info = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/", sent.keySet(), sent::get,
        Map.of("EIO", new String[] {"4"}));

    assertThat(info.headers()).containsExactly(Map.entry("authorization", List.of("k1")),
        Map.entry("x-trace", List.of("a", "b", "c")), Map.entry("host", List.of("example.org")));
    assertThat(info.headers().get("x-trace")).containsExactly("a", "b", "c");
    assertThat(info.headers().get("X-Trace")).isNull();
    assertThat(info.headers()).doesNotContainKey("absent").hasSize(3);
    // Well-known names are one shared String, not one per connection.
    String key = info.headers().keySet().iterator().next();
    assertThat(key).isSameAs(ConnectionInfo.http("websocket", "127.0.0.1:5001", "/", List.of("AUTHORIZATION"),
        name -> List.of("k2"), Map.of()).headers().keySet().iterator().next());
  }

  @Test
  void valuesThatRepeatAcrossConnectionsAreOneStringAndOthersAreKeptAsGiven() {
    ConnectionInfo first = connectionWith("UA/1.0 (shared)", "key-one");
    ConnectionInfo second = connectionWith("UA/1.0 (shared)", "key-two");

    // Equal strings from different requests (each made anew, as a container parses them) end as one.
    assertThat(second.headers().get("user-agent").get(0)).isSameAs(first.headers().get("user-agent").get(0));
    assertThat(second.headers().get("upgrade").get(0)).isSameAs(first.headers().get("upgrade").get(0));
    assertThat(second.path()).isSameAs(first.path());
    // A value seen once is not offered to the shared table: it is the request's own.
    String key = new String("key-three".toCharArray());
    ConnectionInfo third = ConnectionInfo.http("websocket", "127.0.0.1:5003", "/socket.io/",
        List.of("Authorization"), name -> List.of(key), Map.of());
    assertThat(third.headers().get("authorization").get(0)).isSameAs(key);
    // Values too long to be worth sharing stay the request's own too.
    String longAgent = new String("x".repeat(300).toCharArray());
    ConnectionInfo fourth = ConnectionInfo.http("websocket", "127.0.0.1:5004", "/socket.io/",
        List.of("User-Agent"), name -> List.of(longAgent), Map.of());
    assertThat(fourth.headers().get("user-agent").get(0)).isSameAs(longAgent);
  }

  @Test
  void headersWhoseEveryValueRepeatsAcrossClientsAreOneMapForEveryConnectionThatSendsThem() {
    Map<String, List<String>> sent = new LinkedHashMap<>();
    sent.put("Host", List.of(new String("chat.example:8080".toCharArray())));
    sent.put("Upgrade", List.of(new String("websocket".toCharArray())));
    sent.put("Sec-WebSocket-Key", List.of("a-nonce-left-out"));
    Map<String, List<String>> first = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/", sent.keySet(),
        sent::get, Map.of()).headers();
    sent.put("Sec-WebSocket-Key", List.of("another-nonce"));
    Map<String, List<String>> second = ConnectionInfo.http("websocket", "127.0.0.1:5001", "/", sent.keySet(),
        sent::get, Map.of()).headers();

    assertThat(first).containsOnlyKeys("host", "upgrade").containsEntry("upgrade", List.of("websocket"));
    assertThat(second).isSameAs(first);
    // A cookie is the client's own: those headers are the connection's own map.
    sent.put("Cookie", List.of("session=abc"));
    Map<String, List<String>> withCookie = ConnectionInfo.http("websocket", "127.0.0.1:5002", "/", sent.keySet(),
        sent::get, Map.of()).headers();
    assertThat(withCookie).isNotSameAs(first).containsEntry("cookie", List.of("session=abc"));
  }

  @Test
  void theWebSocketHandshakeNonceIsNotKept() {
    Map<String, List<String>> sent = new LinkedHashMap<>();
    sent.put("Sec-WebSocket-Key", List.of("dGhlIHNhbXBsZSBub25jZQ=="));
    sent.put("Sec-WebSocket-Version", List.of("13"));
    ConnectionInfo info = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/socket.io/", sent.keySet(), sent::get,
        Map.of());

    assertThat(info.headers()).containsOnlyKeys("sec-websocket-version");
  }

  @Test
  void aQueryOfEngineIoNamesAndValuesOnlyIsOneMapForEveryConnectionThatSendsIt() {
    Map<String, String[]> engineIo = new LinkedHashMap<>();
    engineIo.put(new String("EIO".toCharArray()), new String[] {new String("4".toCharArray())});
    engineIo.put("transport", new String[] {"websocket"});
    ConnectionInfo first = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/", List.of(), name -> List.of(),
        engineIo);
    ConnectionInfo second = ConnectionInfo.http("websocket", "127.0.0.1:5001", "/", List.of(), name -> List.of(),
        new LinkedHashMap<>(engineIo));

    assertThat(first.query()).containsExactly(Map.entry("EIO", List.of("4")), Map.entry("transport",
        List.of("websocket")));
    assertThat(second.query()).isSameAs(first.query());
    // A value of the application's own (a token, a polling request's cache-buster) is the connection's own.
    Map<String, String[]> withToken = new LinkedHashMap<>(engineIo);
    withToken.put("token", new String[] {"abc"});
    ConnectionInfo third = ConnectionInfo.http("websocket", "127.0.0.1:5002", "/", List.of(), name -> List.of(),
        withToken);
    assertThat(third.query()).isNotSameAs(first.query()).containsEntry("token", List.of("abc"));
    // Known pairs repeated past a few are not held in the table either.
    Map<String, String[]> repeated = Map.of("EIO", new String[] {"4", "4", "4", "4", "4"});
    Map<String, List<String>> once = ConnectionInfo.http("websocket", "127.0.0.1:5003", "/", List.of(),
        name -> List.of(), repeated).query();
    assertThat(ConnectionInfo.http("websocket", "127.0.0.1:5004", "/", List.of(), name -> List.of(), repeated).query())
        .isEqualTo(once).isNotSameAs(once);
  }

  private static ConnectionInfo connectionWith(String userAgent, String key) {
    Map<String, List<String>> sent = new LinkedHashMap<>();
    sent.put("User-Agent", List.of(new String(userAgent.toCharArray())));
    sent.put("Upgrade", List.of(new String("websocket".toCharArray())));
    sent.put("Authorization", List.of(key));
    return ConnectionInfo.http("websocket", "127.0.0.1:5000", new String("/socket.io/".toCharArray()),
        sent.keySet(), sent::get, Map.of());
  }

  @Test
  void theMapsAndTheirListsAreImmutable() {
    Map<String, List<String>> sent = Map.of("Cookie", List.of("a=1"), "Accept", List.of("*/*"));
    ConnectionInfo info = ConnectionInfo.http("sse", "127.0.0.1:5000", "/", sent.keySet(), sent::get,
        Map.of("room", new String[] {"general"}));

    assertThatThrownBy(() -> info.headers().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.headers().remove("absent")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.headers().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.headers().get("accept").add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.headers().entrySet().iterator().next().setValue(List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.query().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.cookies().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> info.cookies().keySet().remove("a")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theMapsEqualAndHashLikeHashMapsOfTheSameEntries() {
    Map<String, List<String>> sent = new LinkedHashMap<>();
    sent.put("Cookie", List.of("nick=alice", "theme=dark"));
    sent.put("Origin", List.of("http://example.org"));
    ConnectionInfo info = ConnectionInfo.http("websocket", "127.0.0.1:5000", "/", sent.keySet(), sent::get,
        Map.of("EIO", new String[] {"4"}, "transport", new String[] {"websocket"}));

    Map<String, List<String>> headers = new HashMap<>();
    headers.put("cookie", List.of("nick=alice", "theme=dark"));
    headers.put("origin", List.of("http://example.org"));
    Map<String, List<String>> query = new HashMap<>(Map.of("EIO", List.of("4"), "transport", List.of("websocket")));
    Map<String, String> cookies = new HashMap<>(Map.of("nick", "alice", "theme", "dark"));
    assertThat(info.headers()).isEqualTo(headers).hasSameHashCodeAs(headers);
    assertThat(headers).isEqualTo(info.headers());
    assertThat(info.query()).isEqualTo(query).hasSameHashCodeAs(query);
    assertThat(info.cookies()).isEqualTo(cookies).hasSameHashCodeAs(cookies);
    assertThat(cookies).isEqualTo(info.cookies());
    assertThat(info.headers()).isNotEqualTo(Map.of("cookie", List.of("nick=alice")));
    // A record made of the same maps again is equal, and keeps the compact maps rather than copying them.
    ConnectionInfo again = new ConnectionInfo(info.transport(), info.remoteAddress(), info.path(), info.headers(),
        info.query(), info.cookies());
    assertThat(again).isEqualTo(info).hasSameHashCodeAs(info);
    assertThat(again.headers()).isSameAs(info.headers());
  }

  @Test
  void anEmptyRequestHasEmptyMaps() {
    ConnectionInfo info = ConnectionInfo.http("sse", "127.0.0.1:5000", "/", List.of(), name -> List.of(), Map.of());

    assertThat(info.headers()).isEmpty();
    assertThat(info.query()).isEmpty();
    assertThat(info.cookies()).isEqualTo(Map.of());
  }

  @Test
  void aRawQueryReadsAsAServletsParameterMap() {
    Map<String, String[]> parameters = ConnectionInfo.queryParameters("ns=%2Fchat&room=a+b&room=c&flag&=x&&t=%E2%82%AC");
    assertThat(parameters.keySet()).containsExactly("ns", "room", "flag", "t");
    assertThat(parameters.get("ns")).containsExactly("/chat");
    assertThat(parameters.get("room")).containsExactly("a b", "c");
    assertThat(parameters.get("flag")).containsExactly("");
    assertThat(parameters.get("t")).containsExactly("\u20ac");
    assertThat(ConnectionInfo.queryParameters(null)).isEmpty();
    assertThat(ConnectionInfo.queryParameters("")).isEmpty();
  }

  @Test
  void aMalformedEscapeInARawQueryIsKeptAsItCame() {
    assertThat(ConnectionInfo.queryParameters("a=%zz&b=%4").get("a")).containsExactly("%zz");
    assertThat(ConnectionInfo.queryParameters("a=%zz&b=%4").get("b")).containsExactly("%4");
  }
}
