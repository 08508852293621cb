package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What the builder refuses, before any connection is tried. */
class ClientBuilderTest {

  @Test
  void rejectsUrlsItCannotConnectTo() {
    assertThatThrownBy(() -> ParleyClient.builder(URI.create("ftp://127.0.0.1:1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http, https, ws or wss");
    assertThatThrownBy(() -> ParleyClient.builder(URI.create("http://127.0.0.1:1/admin")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must have no path");
    assertThatThrownBy(() -> ParleyClient.builder(URI.create("http:relative")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host");
  }

  @Test
  void rejectsBadSettings() {
    ParleyClient.Builder builder = ParleyClient.builder(URI.create("http://127.0.0.1:1"));

    assertThatThrownBy(() -> builder.namespace("admin"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with \"/\"");
    assertThatThrownBy(() -> builder.path("/socket.io"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start and end with");
    assertThatThrownBy(() -> builder.ackTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ackTimeout must be positive: PT0S");
    assertThatThrownBy(() -> builder.on("disconnect", event -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> builder.header("X-Bad", "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control characters");
    assertThatThrownBy(() -> builder.scheduler(null))
        .isInstanceOf(NullPointerException.class).hasMessage("scheduler");
  }

  @Test
  void rejectsBoundsBelowOne() {
    ParleyClient.Builder builder = ParleyClient.builder(URI.create("http://127.0.0.1:1"));

    assertThatThrownBy(() -> builder.outboundBufferSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("outboundBufferSize must be at least 1: 0");
    assertThatThrownBy(() -> builder.outboundBufferBytes(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("outboundBufferBytes must be at least 1: -1");
    assertThatThrownBy(() -> builder.maxPendingAcks(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPendingAcks must be at least 1: 0");
    assertThatThrownBy(() -> builder.auth((Supplier<?>) null))
        .isInstanceOf(NullPointerException.class).hasMessage("auth");
    assertThatThrownBy(() -> builder.headers((Supplier<Map<String, String>>) null))
        .isInstanceOf(NullPointerException.class).hasMessage("headers");
  }

  @Test
  void rejectsAuthThatIsNotAJsonObject() {
    ParleyClient.Builder builder = ParleyClient.builder(URI.create("http://127.0.0.1:1")).auth(List.of("a"));

    assertThatThrownBy(builder::connect)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth must serialise to a JSON object");
  }
}
