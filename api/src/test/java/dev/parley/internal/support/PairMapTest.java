package dev.parley.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pairs as they came, grouped by name in the order names first appear. */
class PairMapTest {

  @Test
  void aNamesValuesThatCameApartAreGroupedInOrder() {
    String[] pairs = {"a", "1", "b", "2", "a", "3", "c", "4", "b", "5", "a", "6", null, null};
    Map<String, List<String>> map = PairMap.ofPairs(pairs, 12);

    assertThat(map).containsExactly(Map.entry("a", List.of("1", "3", "6")), Map.entry("b", List.of("2", "5")),
        Map.entry("c", List.of("4")));
    assertThat(map).hasSize(3).isEqualTo(Map.of("a", List.of("1", "3", "6"), "b", List.of("2", "5"),
        "c", List.of("4")));
    assertThat(map.get("b")).containsExactly("2", "5");
    assertThat(map.get("d")).isNull();
  }

  @Test
  void noPairsIsAnEmptyMapAndBadInputIsRefused() {
    assertThat(PairMap.ofPairs(new String[4], 0)).isEmpty();
    assertThatThrownBy(() -> PairMap.ofPairs(new String[4], 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PairMap.ofPairs(new String[2], 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PairMap.ofPairs(new String[] {"a", null}, 2)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> PairMap.ofPairs(new String[] {"a", "1", "a", null}, 4))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> PairMap.ofPairs(new String[] {"a", "1", "b", "2", "a", null}, 6))
        .isInstanceOf(NullPointerException.class);
  }
}
