package dev.parley.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Saved sessions expire on a clock the test moves, and expired ones are swept by later saves, so the
 * table does not grow with sessions nobody takes. (The shared behaviour is in {@code StoreContractTest}.)
 */
class MemoryStoreSessionsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final ManualClock clock = new ManualClock();
  private final MemoryStore store = new MemoryStore(MemoryStoreConfig.defaults(), clock);

  private void save(String pid, String state, Duration ttl) {
    store.saveSession("/", pid, state, ttl).block(WAIT);
  }

  private String take(String pid) {
    return store.takeSession("/", pid).block(WAIT);
  }

  @Test
  void aSessionLivesExactlyUntilItsTtl() {
    save("pid", "state", Duration.ofSeconds(10));
    clock.advance(Duration.ofMillis(9_999));
    assertThat(take("pid")).isEqualTo("state");

    save("pid", "state", Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(10));
    assertThat(take("pid")).isNull();
    assertThat(store.savedSessions()).isZero();
  }

  @Test
  void savesAndTakesSweepEveryExpiredSession() {
    for (int i = 0; i < 1_000; i++) {
      save("old-" + i, "state", Duration.ofSeconds(1));
    }
    clock.advance(Duration.ofSeconds(2));
    save("new", "state", Duration.ofHours(1));

    // One save after the burst sweeps every expired session: only the live one remains.
    assertThat(store.savedSessions()).isEqualTo(1);
    assertThat(take("new")).isEqualTo("state");

    for (int i = 0; i < 1_000; i++) {
      save("later-" + i, "state", Duration.ofSeconds(1));
    }
    clock.advance(Duration.ofSeconds(2));
    // A take sweeps too, so a burst of drops followed only by reconnects cannot stay behind.
    assertThat(take("later-0")).isNull();
    assertThat(store.savedSessions()).isZero();
  }

  @Test
  void sweepingAReplacedSessionKeepsItsReplacement() {
    save("pid", "first", Duration.ofSeconds(1));
    save("pid", "second", Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(2));
    save("other", "x", Duration.ofHours(1));

    assertThat(take("pid")).isEqualTo("second");
  }

  @Test
  void aTtlTooLongToCountIsKeptUntilTaken() {
    save("pid", "state", Duration.ofSeconds(Long.MAX_VALUE));
    clock.advance(Duration.ofDays(365_000));

    assertThat(take("pid")).isEqualTo("state");
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsSaved() {
    assertThatThrownBy(() -> store.saveSession("/", "pid", "state", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive: PT0S");
    assertThatThrownBy(() -> store.saveSession("/", "pid", null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class).hasMessage("state");
    assertThat(store.savedSessions()).isZero();
  }

  /** A clock that moves only when told. */
  private static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
