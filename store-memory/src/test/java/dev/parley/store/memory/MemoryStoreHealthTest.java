package dev.parley.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.spi.Post;
import dev.parley.spi.StoreHealth;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@link MemoryStore#health()}: always up, with details that follow what the store holds. */
class MemoryStoreHealthTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MemoryStore store = new MemoryStore(MemoryStoreConfig.defaults().withMaxBytesTotal(1_000_000));

  private StoreHealth health() {
    StoreHealth[] out = new StoreHealth[1];
    StepVerifier.create(store.health()).consumeNextWith(h -> out[0] = h).expectComplete().verify(WAIT);
    return out[0];
  }

  @Test
  void anEmptyStoreIsUpWithItsBounds() {
    StoreHealth health = health();

    assertThat(health.up()).isTrue();
    assertThat(health.details()).containsExactly(
        entry("store", "memory"), entry("rooms", 0), entry("retainedBytes", 0L), entry("maxBytesTotal", 1_000_000L),
        entry("savedSessions", 0), entry("feedSubscribers", 0), entry("busSubscribers", 0));
  }

  @Test
  void detailsFollowWhatTheStoreHolds() {
    Disposable feed = store.feed().subscribe();
    Disposable bus = store.bus().messages().subscribe();
    try {
      store.append(new Post("/", "a", "m", JsonNodeFactory.instance.textNode("hello"), null)).block(WAIT);
      store.append(new Post("/", "b", "m", JsonNodeFactory.instance.textNode("hello"), null)).block(WAIT);
      store.saveSession("/", "pid", "state", Duration.ofMinutes(1)).block(WAIT);

      StoreHealth health = health();

      assertThat(health.up()).isTrue();
      assertThat(health.details())
          .containsEntry("rooms", 2)
          .containsEntry("retainedBytes", store.retainedBytes())
          .containsEntry("savedSessions", 1)
          .containsEntry("feedSubscribers", 1)
          .containsEntry("busSubscribers", 1);
      assertThat((long) health.details().get("retainedBytes")).isPositive();
    } finally {
      feed.dispose();
      bus.dispose();
      store.stop().block(WAIT);
    }
  }

  private static Map.Entry<String, Object> entry(String key, Object value) {
    return Map.entry(key, value);
  }
}
