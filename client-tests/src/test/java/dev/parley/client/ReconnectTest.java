package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectTest {

  @Test
  void defaultsAreDocumentedValues() {
    Reconnect defaults = Reconnect.defaults();

    assertThat(defaults.initialDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.multiplier()).isEqualTo(2.0);
    assertThat(defaults.jitter()).isEqualTo(0.5);
    assertThat(defaults.maxAttempts()).isEqualTo(Reconnect.UNLIMITED);
    assertThat(defaults.enabled()).isTrue();
    assertThat(Reconnect.off().enabled()).isFalse();
  }

  @Test
  void delayGrowsExponentiallyUpToTheCap() {
    Reconnect policy = Reconnect.defaults();

    assertThat(policy.delay(0, 0.5)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.delay(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delay(4, 0.5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(policy.delay(5, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.delay(10_000, 0.5)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitterSpreadsTheDelayWithinItsShare() {
    Reconnect policy = Reconnect.defaults();

    assertThat(policy.delay(0, 0.0)).isEqualTo(Duration.ofMillis(250));
    assertThat(policy.delay(0, 0.999_999)).isBetween(Duration.ofMillis(749), Duration.ofMillis(750));
    assertThat(policy.withJitter(0).delay(2, 0.9)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.delay(20, 0.99)).isLessThanOrEqualTo(policy.maxDelay());
  }

  @Test
  void rejectsValuesOutOfRange() {
    assertThatThrownBy(() -> Reconnect.defaults().withDelays(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("initialDelay must be positive: PT0S");
    assertThatThrownBy(() -> Reconnect.defaults().withDelays(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay must be at least initialDelay");
    assertThatThrownBy(() -> Reconnect.defaults().withMultiplier(0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
    assertThatThrownBy(() -> Reconnect.defaults().withJitter(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("jitter must be 0..1: 1.5");
    assertThatThrownBy(() -> Reconnect.defaults().withMaxAttempts(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> Reconnect.defaults().delay(0, 1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("random");
  }
}
