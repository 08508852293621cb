package dev.parley.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.StoreException;
import dev.parley.testsupport.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Saved sessions expire on a clock the test moves, and expired ones are swept by later saves, so the
 * table does not grow with sessions nobody takes; on the real clock a timer sweeps them with no traffic at
 * all; and the table keeps within its byte budget. (The shared behaviour is in {@code StoreContractTest}.)
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

  @Test
  void expiredSessionsAreSweptWithNoFurtherTraffic() {
    MemoryStore real = new MemoryStore();
    try {
      for (int i = 0; i < 100; i++) {
        real.saveSession("/", "short-" + i, "x".repeat(1_000), Duration.ofMillis(100 + i)).block(WAIT);
      }
      real.saveSession("/", "long", "kept", Duration.ofHours(1)).block(WAIT);
      assertThat(real.savedSessions()).isEqualTo(101);

      // Nothing is saved or taken from here on: the timer alone gives the memory back.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        assertThat(real.savedSessions()).isEqualTo(1);
        assertThat(real.savedSessionBytes()).isEqualTo(MemorySize.session("/", "long", "kept"));
      });
      assertThat(real.takeSession("/", "long").block(WAIT)).isEqualTo("kept");
      assertThat(real.savedSessionBytes()).isZero();
    } finally {
      real.stop().block(WAIT);
    }
  }

  @Test
  void replacedAndTakenSessionsFreeTheirBytesAtOnce() {
    save("pid", "x".repeat(5_000), Duration.ofHours(1));
    save("pid", "short", Duration.ofHours(1));
    assertThat(store.savedSessionBytes()).isEqualTo(MemorySize.session("/", "pid", "short"));

    assertThat(take("pid")).isEqualTo("short");
    assertThat(store.savedSessionBytes()).isZero();
  }

  @Test
  void beyondTheBudgetTheSessionsClosestToExpiryAreDropped() {
    MemoryStore small = new MemoryStore(MemoryStoreConfig.defaults().withMaxSessionBytes(8 * 1024), clock);
    String state = "s".repeat(2_000);
    long each = MemorySize.session("/", "pid-0", state);
    // Expiring in 10, 20, ... minutes: pid-0 is closest to expiry, then pid-1.
    for (int i = 0; i < 5; i++) {
      small.saveSession("/", "pid-" + i, state, Duration.ofMinutes(10L * (i + 1))).block(WAIT);
      assertThat(small.savedSessionBytes()).isLessThanOrEqualTo(8 * 1024);
    }
    assertThat(8 * 1024 / each).isEqualTo(3);
    assertThat(small.savedSessions()).isEqualTo(3);
    assertThat(small.takeSession("/", "pid-0").block(WAIT)).isNull();
    assertThat(small.takeSession("/", "pid-1").block(WAIT)).isNull();

    // The session just saved is kept even when it is the closest to expiry: the others make room.
    small.saveSession("/", "soon", state, Duration.ofMinutes(1)).block(WAIT);
    assertThat(small.takeSession("/", "soon").block(WAIT)).isEqualTo(state);
    assertThat(small.takeSession("/", "pid-2").block(WAIT)).isNull();
    assertThat(small.takeSession("/", "pid-4").block(WAIT)).isEqualTo(state);
  }

  @Test
  void aStateLargerThanTheWholeBudgetIsRefusedAndReplacesNothing() {
    MemoryStore small = new MemoryStore(MemoryStoreConfig.defaults().withMaxSessionBytes(4 * 1024), clock);
    small.saveSession("/", "pid", "earlier", Duration.ofHours(1)).block(WAIT);

    assertThatThrownBy(() -> small.saveSession("/", "pid", "s".repeat(5_000), Duration.ofHours(1)).block(WAIT))
        .isInstanceOf(StoreException.class)
        .hasMessage("session state of 5284 bytes is larger than maxSessionBytes (4096); not saved");
    assertThat(small.takeSession("/", "pid").block(WAIT)).isEqualTo("earlier");
  }
}
