package dev.parley.store.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Ids are sequence numbers in fixed-width hex, and any string bounds a page as String comparison says. */
class MessageIdsTest {

  @Test
  void idsAreSixteenLowerCaseHexDigitsInNumberOrder() {
    assertThat(MessageIds.of(1)).isEqualTo("0000000000000001");
    assertThat(MessageIds.of(255)).isEqualTo("00000000000000ff");
    assertThat(MessageIds.of(Long.MAX_VALUE)).isEqualTo("7fffffffffffffff");
    assertThat(MessageIds.of(15).compareTo(MessageIds.of(16))).isNegative();
  }

  @Test
  void cursorsThatAreIdsGiveTheirNeighbours() {
    assertThat(MessageIds.firstSeqAfter(MessageIds.of(41))).isEqualTo(42);
    assertThat(MessageIds.lastSeqBefore(MessageIds.of(41))).isEqualTo(40);
    assertThat(MessageIds.lastSeqBefore(MessageIds.of(0))).isEqualTo(-1);
  }

  @Test
  void anyStringBoundsTheIdsAsStringComparisonDoes() {
    List<String> cursors = new ArrayList<>(List.of("", "0", "00000000000000000", "0000000000000005x",
        "000000000000000G", "00000000000000FF", "zzz", "abc", "~", "\uffff", "8", "7fffffffffffffffz", "-1",
        "00000000000000 1", "ffffffffffffffff"));
    Random random = new Random(7);
    String alphabet = "0123456789abcdefABCDEFgz~ -";
    for (int i = 0; i < 2_000; i++) {
      StringBuilder cursor = new StringBuilder("0000000000000".substring(0, random.nextInt(14)));
      int extra = random.nextInt(6);
      for (int k = 0; k < extra; k++) {
        cursor.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      cursors.add(cursor.toString());
    }
    for (String cursor : cursors) {
      long after = MessageIds.firstSeqAfter(cursor);
      long before = MessageIds.lastSeqBefore(cursor);
      // Check against the ids near the computed bounds and near small numbers.
      for (long seq : new long[] {0, 1, 2, 15, 16, 17, 255, 256, after - 1, after, after + 1, before - 1, before,
          before + 1}) {
        if (seq < 0 || seq == Long.MAX_VALUE) {
          continue;
        }
        String id = MessageIds.of(seq);
        assertThat(seq >= after).as("%s after %s", id, cursor).isEqualTo(id.compareTo(cursor) > 0);
        assertThat(seq <= before).as("%s before %s", id, cursor).isEqualTo(id.compareTo(cursor) < 0);
      }
    }
  }
}
