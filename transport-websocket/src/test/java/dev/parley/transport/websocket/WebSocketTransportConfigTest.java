package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebSocketTransportConfigTest {

  @Test
  void attachmentTimeoutDefaultsToTenSecondsAndMustBePositive() {
    assertThat(WebSocketTransportConfig.defaults().attachmentTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(WebSocketTransportConfig.builder().attachmentTimeout(Duration.ofMillis(1)).build().attachmentTimeout())
        .isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> WebSocketTransportConfig.builder().attachmentTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("attachmentTimeout must be positive: PT0S");
    assertThatThrownBy(() -> WebSocketTransportConfig.builder().attachmentTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebSocketTransportConfig.builder().attachmentTimeout(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("attachmentTimeout");
  }

  @Test
  void pollingAndUpgradesAreOnByDefault() {
    assertThat(WebSocketTransportConfig.defaults().polling()).isTrue();
    assertThat(WebSocketTransportConfig.defaults().allowUpgrades()).isTrue();
    WebSocketTransportConfig off = WebSocketTransportConfig.builder().polling(false).allowUpgrades(false).build();
    assertThat(off.polling()).isFalse();
    assertThat(off.allowUpgrades()).isFalse();
  }

  @Test
  void theClientIsServedUnlessTurnedOff() {
    assertThat(WebSocketTransportConfig.defaults().serveClient()).isTrue();
    assertThat(WebSocketTransportConfig.builder().serveClient(false).build().serveClient()).isFalse();
  }
}
