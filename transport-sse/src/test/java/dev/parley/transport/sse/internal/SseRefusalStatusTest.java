package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Refusal;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of refusal has its HTTP status, chosen by kind only. */
class SseRefusalStatusTest {

  @Test
  void eachRefusalMapsToItsStatus() {
    Map<Refusal, Integer> expected = new EnumMap<>(Map.of(
        Refusal.INVALID_NAMESPACE, 404,
        Refusal.REJECTED, 403,
        Refusal.UNAUTHORIZED, 401,
        Refusal.SHUTTING_DOWN, 503,
        Refusal.LIMIT, 429,
        Refusal.INTERNAL, 500));
    assertThat(expected).containsOnlyKeys(Refusal.values());
    for (Refusal refusal : Refusal.values()) {
      assertThat(SseServlet.status(refusal)).as(refusal.name()).isEqualTo(expected.get(refusal));
    }
  }
}
