package dev.parley.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each step a new immutable map with the entries a HashMap would have after the same steps. */
class CopyOnWriteTest {

  @Test
  void stepsGiveWhatAHashMapWouldHaveAtEverySize() {
    Map<String, Integer> map = Map.of();
    Map<String, Integer> expected = new HashMap<>();
    // Through the one-entry, the scanned and the hashed forms, and back down.
    for (int i = 0; i < 12; i++) {
      map = CopyOnWrite.with(map, "k" + i, i);
      expected.put("k" + i, i);
      assertThat(map).isEqualTo(expected).hasSameHashCodeAs(expected);
      // Replacing keeps the size.
      map = CopyOnWrite.with(map, "k0", 100 + i);
      expected.put("k0", 100 + i);
      assertThat(map).isEqualTo(expected);
      assertThat(map.get("k" + i)).isEqualTo(i == 0 ? 100 : i);
      assertThat(map.containsKey("absent")).isFalse();
      assertThat(map.get("absent")).isNull();
    }
    for (int i = 11; i >= 0; i--) {
      assertThat(CopyOnWrite.without(map, "k" + i, -1)).as("another value expected").isSameAs(map);
      map = CopyOnWrite.without(map, "k" + i, null);
      expected.remove("k" + i);
      assertThat(map).isEqualTo(expected);
    }
    assertThat(map).isEmpty();
  }

  @Test
  void theScannedFormKeepsTheOrderOfAdditionAndRefusesChanges() {
    Map<String, Integer> map = Map.of();
    for (String key : new String[] {"c", "a", "b"}) {
      map = CopyOnWrite.with(map, key, key.charAt(0) - 'a');
    }
    assertThat(map.keySet()).containsExactly("c", "a", "b");
    StringBuilder visited = new StringBuilder();
    map.forEach((key, value) -> visited.append(key).append(value));
    assertThat(visited).hasToString("c2a0b1");
    Map<String, Integer> scanned = map;
    assertThatThrownBy(() -> scanned.put("d", 3)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> CopyOnWrite.with(scanned, "d", null)).isInstanceOf(NullPointerException.class);
  }
}
