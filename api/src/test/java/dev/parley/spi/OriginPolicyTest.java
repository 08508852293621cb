package dev.parley.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The origin rule both HTTP transports share ({@code dev.parley.spi.OriginPolicy}): by default the request's
 * own origin only, which is its scheme, host and port together.
 */
class OriginPolicyTest {
  private final OriginPolicy sameOrigin = new OriginPolicy(List.of());

  @Test
  void noOriginIsNotABrowserAndIsAllowed() {
    assertThat(sameOrigin.allows(null, "http", "chat.example")).isTrue();
  }

  @Test
  void sameOriginIsTheSameSchemeHostAndPort() {
    assertThat(sameOrigin.allows("http://chat.example", "http", "chat.example")).isTrue();
    assertThat(sameOrigin.allows("https://chat.example", "https", "chat.example")).isTrue();
    assertThat(sameOrigin.allows("http://chat.example:8080", "http", "chat.example:8080")).isTrue();
    assertThat(sameOrigin.allows("HTTP://Chat.Example:8080", "http", "chat.example:8080")).isTrue();
    assertThat(sameOrigin.allows("http://[::1]:8080", "http", "[::1]:8080")).isTrue();
    // A default port is the same origin whether it is written or not.
    assertThat(sameOrigin.allows("https://chat.example", "https", "chat.example:443")).isTrue();
    assertThat(sameOrigin.allows("http://chat.example:80", "http", "chat.example")).isTrue();
  }

  @Test
  void theRequestsOwnOriginMayComeAsServerNameAndPort() {
    assertThat(sameOrigin.allows("https://chat.example", "https", "chat.example", 443)).isTrue();
    assertThat(sameOrigin.allows("http://chat.example:8080", "http", "chat.example", 8080)).isTrue();
    assertThat(sameOrigin.allows("http://chat.example:8080", "http", "chat.example", 8081)).isFalse();
    // IPv6 as a container reports it, with or without brackets.
    assertThat(sameOrigin.allows("http://[::1]:8080", "http", "::1", 8080)).isTrue();
    assertThat(sameOrigin.allows("http://[::1]:8080", "http", "[::1]", 8080)).isTrue();
    assertThat(sameOrigin.allows("http://chat.example", "http", null, 80)).isFalse();
  }

  @Test
  void anotherSchemeIsAnotherOrigin() {
    assertThat(sameOrigin.allows("https://chat.example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example", "https", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("https://chat.example:8080", "http", "chat.example:8080")).isFalse();
    assertThat(sameOrigin.allows("ftp://chat.example", "http", "chat.example")).isFalse();
  }

  @Test
  void anotherHostOrPortIsAnotherOrigin() {
    assertThat(sameOrigin.allows("http://evil.example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example.evil.example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example:8081", "http", "chat.example:8080")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example", "http", "chat.example:8080")).isFalse();
    assertThat(sameOrigin.allows("https://chat.example", "https", "chat.example:80")).isFalse();
  }

  @Test
  void whatIsNotAnOriginIsRefused() {
    assertThat(sameOrigin.allows("null", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("chat.example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://user@chat.example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat example", "http", "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example", null, "chat.example")).isFalse();
    assertThat(sameOrigin.allows("http://chat.example", "http", null)).isFalse();
  }

  @Test
  void anAllowListReplacesTheSameOriginRule() {
    OriginPolicy list = new OriginPolicy(List.of("https://app.example"));
    assertThat(list.allows("https://app.example", "http", "chat.example")).isTrue();
    assertThat(list.allows("http://app.example", "http", "chat.example")).isFalse();
    assertThat(list.allows("http://chat.example", "http", "chat.example")).isFalse();
    assertThat(new OriginPolicy(List.of("*")).allows("https://anyone.example", "http", "chat.example")).isTrue();
  }
}
