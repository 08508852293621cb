package dev.parley.store.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Ids are a room's sequence numbers in fixed-width hex followed by the room's tag; any string bounds a
 * page of a room as String comparison with that room's ids says.
 */
class MessageIdsTest {
  private static final String SUFFIX = MessageIds.suffix("/", "lobby");

  @Test
  void idsAreSixteenLowerCaseHexDigitsInNumberOrderThenTheRoomTag() {
    String tag = SUFFIX.substring(1);
    assertThat(SUFFIX).startsWith("-").hasSize(1 + MessageIds.TAG_WIDTH);
    assertThat(tag).matches("[0-9a-f]{16}");
    // The example of the module's README.
    assertThat(MessageIds.of(42, "/", "lobby")).isEqualTo("000000000000002a-4df0f376b2deb872");
    assertThat(MessageIds.of(1, "/", "lobby")).isEqualTo("0000000000000001-" + tag);
    assertThat(MessageIds.of(255, "/", "lobby")).isEqualTo("00000000000000ff-" + tag);
    assertThat(MessageIds.of(Long.MAX_VALUE, "/", "lobby")).isEqualTo("7fffffffffffffff-" + tag)
        .hasSize(MessageIds.WIDTH);
    assertThat(MessageIds.of(15, "/", "lobby")).isLessThan(MessageIds.of(16, "/", "lobby"));
    assertThat(MessageIds.of(0xffff, "/", "lobby")).isLessThan(MessageIds.of(0x10000, "/", "lobby"));
  }

  @Test
  void theSameNumberInDifferentRoomsIsADifferentId() {
    List<String[]> rooms = List.of(new String[] {"/", "lobby"}, new String[] {"/", "lobby2"},
        new String[] {"/chat", "lobby"}, new String[] {"/", "a"}, new String[] {"/a", ""},
        // Namespace and name are not simply concatenated: these would run together as "/ab".
        new String[] {"/a", "b"}, new String[] {"/ab", ""}, new String[] {"/", "$where"},
        new String[] {"/", "{\"$ne\": null}"}, new String[] {"/", "łódź 🎉"});
    Set<String> ids = new HashSet<>();
    for (String[] room : rooms) {
      ids.add(MessageIds.of(1, room[0], room[1]));
      assertThat(MessageIds.of(1, room[0], room[1])).as("stable").isEqualTo(MessageIds.of(1, room[0], room[1]));
    }

    assertThat(ids).hasSize(rooms.size());
  }

  @Test
  void cursorsThatAreIdsGiveTheirNeighbours() {
    assertThat(MessageIds.firstSeqAfter(MessageIds.of(41, "/", "lobby"), SUFFIX)).isEqualTo(42);
    assertThat(MessageIds.lastSeqBefore(MessageIds.of(41, "/", "lobby"), SUFFIX)).isEqualTo(40);
    assertThat(MessageIds.lastSeqBefore(MessageIds.of(0, "/", "lobby"), SUFFIX)).isEqualTo(-1);
  }

  @Test
  void anIdOfAnotherRoomBoundsByStringOrderOnly() {
    // Not an id of this room: whether number 41 is inside depends on how the other room's tag compares.
    String other = MessageIds.of(41, "/", "other");
    boolean otherTagIsGreater = other.substring(16).compareTo(SUFFIX) > 0;

    assertThat(MessageIds.firstSeqAfter(other, SUFFIX)).isEqualTo(otherTagIsGreater ? 42 : 41);
    assertThat(MessageIds.lastSeqBefore(other, SUFFIX)).isEqualTo(otherTagIsGreater ? 41 : 40);
  }

  @Test
  void anyStringBoundsTheIdsAsStringComparisonDoes() {
    String tag = SUFFIX.substring(1);
    String lowerTag = tag.substring(0, 5) + (char) (tag.charAt(5) - 1);
    String higherTag = tag.substring(0, 5) + (char) (tag.charAt(5) + 1);
    List<String> cursors = new ArrayList<>(List.of("", "0", "00000000000000000", "0000000000000005x",
        "000000000000000G", "00000000000000FF", "zzz", "abc", "~", "\uffff", "8", "7fffffffffffffffz", "-1",
        "00000000000000 1", "ffffffffffffffff", "0000000000000005", "0000000000000005-",
        "0000000000000005" + SUFFIX, "0000000000000005" + SUFFIX + "0", "0000000000000005-" + tag.substring(0, 7),
        "0000000000000005-" + lowerTag, "0000000000000005-" + higherTag, "0000000000000005.", "0000000000000005,",
        "ffffffffffffffff" + SUFFIX, "8000000000000000-"));
    Random random = new Random(7);
    String alphabet = "0123456789abcdefABCDEFgz~ -" + tag;
    for (int i = 0; i < 3_000; i++) {
      StringBuilder cursor = new StringBuilder("0000000000000".substring(0, random.nextInt(14)));
      int extra = random.nextInt(6);
      for (int k = 0; k < extra; k++) {
        cursor.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (random.nextBoolean() && cursor.length() < 16) {
        // A whole number part, then something near the room's tail.
        cursor.append("0".repeat(16 - cursor.length()));
        for (char c : SUFFIX.substring(0, random.nextInt(SUFFIX.length() + 1)).toCharArray()) {
          cursor.append(c);
        }
        if (random.nextBoolean()) {
          cursor.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      cursors.add(cursor.toString());
    }
    for (String cursor : cursors) {
      long after = MessageIds.firstSeqAfter(cursor, SUFFIX);
      long before = MessageIds.lastSeqBefore(cursor, SUFFIX);
      // Check against the ids near the computed bounds and near small numbers.
      for (long seq : new long[] {0, 1, 2, 5, 15, 16, 17, 255, 256, after - 1, after, after + 1, before - 1, before,
          before + 1}) {
        if (seq < 0 || seq == Long.MAX_VALUE) {
          continue;
        }
        String id = MessageIds.of(seq, "/", "lobby");
        assertThat(seq >= after).as("%s after %s", id, cursor).isEqualTo(id.compareTo(cursor) > 0);
        assertThat(seq <= before).as("%s before %s", id, cursor).isEqualTo(id.compareTo(cursor) < 0);
      }
    }
  }
}
