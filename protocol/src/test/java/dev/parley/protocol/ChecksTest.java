package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared argument checks: what they let through, and the one wording every config uses. */
class ChecksTest {

  @Test
  void positiveRejectsZeroNegativeAndNull() {
    assertThat(Checks.positive("t", Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> Checks.positive("t", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("t must be positive: PT0S");
    assertThatThrownBy(() -> Checks.positive("t", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("t must be positive: PT-1S");
    assertThatThrownBy(() -> Checks.positive("t", null)).isInstanceOf(NullPointerException.class).hasMessage("t");
  }

  @Test
  void atLeastIncludesItsMinimumAndNamesTheUnitIfAny() {
    assertThat(Checks.atLeast("n", 2, 2)).isEqualTo(2);
    assertThat(Checks.atLeast("n", Long.MAX_VALUE, 2)).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> Checks.atLeast("n", 1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be at least 2: 1");
    assertThat(Checks.atLeast("size", 1024, 1024, "bytes")).isEqualTo(1024);
    assertThatThrownBy(() -> Checks.atLeast("size", 1023, 1024, "bytes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("size must be at least 1024 bytes: 1023");
  }

  @Test
  void rangeIncludesBothEnds() {
    assertThat(Checks.range("port", 0, 0, 65_535)).isZero();
    assertThat(Checks.range("port", 65_535, 0, 65_535)).isEqualTo(65_535);
    assertThatThrownBy(() -> Checks.range("port", -1, 0, 65_535))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0..65535: -1");
    assertThatThrownBy(() -> Checks.range("port", 65_536, 0, 65_535))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0..65535: 65536");
  }
}
