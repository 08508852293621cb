package dev.parley.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a store says about its own health, as {@link Store#health()} reports it: whether it can serve now,
 * and details for a person or a dashboard to read.
 *
 * <p>Details are plain values a JSON writer can render (strings, numbers, booleans, and lists or maps of
 * them), kept in the order they were given; their keys are the store's own (each store documents
 * what it reports). The map is an immutable copy, so the record can be shared and cached. A health check
 * that needs a status richer than up and down (Spring Boot's {@code OUT_OF_SERVICE}, say) maps from these
 * two and the details.
 *
 * <pre>{@code
 * StoreHealth health = store.health().block(Duration.ofSeconds(5));
 * if (!health.up()) {
 *   log.warn("store down: {}", health.details());
 * }
 * }</pre>
 *
 * @param up whether the store can serve appends, history, its feed and its bus now
 * @param details what the store checked and found, in its own words; never null, may be empty
 */
public record StoreHealth(boolean up, Map<String, Object> details) {

  /**
   * Copies the details, keeping their order.
   *
   * @throws NullPointerException if {@code details}, one of its keys or one of its values is null
   */
  public StoreHealth {
    Objects.requireNonNull(details, "details");
    Map<String, Object> copy = new LinkedHashMap<>(details.size() * 4 / 3 + 1);
    details.forEach((key, value) -> {
      Objects.requireNonNull(key, "details key");
      copy.put(key, Objects.requireNonNull(value, () -> "details value of \"" + key + "\""));
    });
    details = Collections.unmodifiableMap(copy);
  }

  /**
   * A healthy store with these details.
   *
   * @throws NullPointerException if {@code details}, one of its keys or one of its values is null
   */
  public static StoreHealth up(Map<String, ?> details) {
    return new StoreHealth(true, Collections.unmodifiableMap(Objects.requireNonNull(details, "details")));
  }

  /**
   * A store that cannot serve now, with details saying why.
   *
   * @throws NullPointerException if {@code details}, one of its keys or one of its values is null
   */
  public static StoreHealth down(Map<String, ?> details) {
    return new StoreHealth(false, Collections.unmodifiableMap(Objects.requireNonNull(details, "details")));
  }
}
