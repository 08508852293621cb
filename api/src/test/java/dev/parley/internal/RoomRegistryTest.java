package dev.parley.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.internal.RoomRegistry.Joined;
import dev.parley.testsupport.Concurrently;
import dev.parley.testsupport.Timeouts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The one record of which channels are in which rooms: both views, the room limit, and the counts. */
class RoomRegistryTest {
  // The channels' own entries, kept here for channels that are only names.
  private final Map<String, Object> channelEntries = new ConcurrentHashMap<>();
  private final RoomRegistry<String, Pair> rooms = new RoomRegistry<>(new RoomRegistry.Slot<>() {
    @Override
    public Object get(String channel) {
      return channelEntries.get(channel);
    }

    @Override
    public void set(String channel, Object entries) {
      if (entries == null) {
        channelEntries.remove(channel);
      } else {
        channelEntries.put(channel, entries);
      }
    }
  });

  // A membership as the registry sees one: its room, its channel, and a label to tell memberships apart.
  private record Pair(String room, String channel, String label) implements RoomRegistry.Member<String> {
  }

  private static Pair m(String room, String channel, String label) {
    return new Pair(room, channel, label);
  }

  @Test
  void aJoinedChannelIsSeenFromTheRoomAndFromTheChannel() {
    assertThat(rooms.join("lobby", "a", m("lobby", "a", "a@lobby"), "a", 10)).isEqualTo(Joined.JOINED);
    rooms.join("lobby", "b", m("lobby", "b", "b@lobby"), "b", 10);

    assertThat(rooms.rooms("a")).containsExactly("lobby");
    assertThat(rooms.members("lobby")).containsExactlyInAnyOrder("a", "b");
    assertThat(rooms.membershipsIn("lobby")).extracting(Pair::label).containsExactlyInAnyOrder("a@lobby", "b@lobby");
    assertThat(rooms.memberships("a")).isEqualTo(Map.of("lobby", m("lobby", "a", "a@lobby")));
    assertThat(rooms.roomCount()).isEqualTo(1);
    assertThat(rooms.membershipCount()).isEqualTo(2);
  }

  @Test
  void joiningTwiceKeepsTheFirstMembership() {
    rooms.join("lobby", "a", m("lobby", "a", "first"), "a", 10);

    assertThat(rooms.join("lobby", "a", m("lobby", "a", "second"), "a", 10)).isEqualTo(Joined.ALREADY_IN);
    assertThat(rooms.membershipsIn("lobby")).extracting(Pair::label).containsExactly("first");
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void theOwnRoomDoesNotCountTowardsTheLimit() {
    rooms.add(m("a", "a", "own"));
    rooms.join("r1", "a", m("r1", "a", "m1"), "a", 2);

    assertThat(rooms.join("r2", "a", m("r2", "a", "m2"), "a", 2)).isEqualTo(Joined.JOINED);
    assertThat(rooms.join("r3", "a", m("r3", "a", "m3"), "a", 2)).isEqualTo(Joined.AT_LIMIT);
    assertThat(rooms.rooms("a")).containsExactlyInAnyOrder("a", "r1", "r2");
    assertThat(rooms.members("r3")).isEmpty();
  }

  @Test
  void addReplacesAMembershipWithoutCountingItTwice() {
    rooms.add(m("lobby", "a", "old"));
    rooms.add(m("lobby", "a", "new"));

    assertThat(rooms.membershipsIn("lobby")).extracting(Pair::label).containsExactly("new");
    assertThat(rooms.memberships("a")).isEqualTo(Map.of("lobby", m("lobby", "a", "new")));
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void leavingTheLastMemberRemovesTheRoom() {
    rooms.join("lobby", "a", m("lobby", "a", "m"), "a", 10);

    assertThat(rooms.leave("lobby", "a")).isTrue();
    assertThat(rooms.leave("lobby", "a")).isFalse();
    assertThat(rooms.roomCount()).isZero();
    assertThat(rooms.membershipCount()).isZero();
    assertThat(rooms.rooms("a")).isEmpty();
  }

  @Test
  void leaveAllTakesTheChannelOutOfEveryRoomAndLeavesOthersIn() {
    rooms.add(m("a", "a", "own"));
    rooms.join("lobby", "a", m("lobby", "a", "a@lobby"), "a", 10);
    rooms.join("lobby", "b", m("lobby", "b", "b@lobby"), "b", 10);

    rooms.leaveAll("a");

    assertThat(rooms.rooms("a")).isEmpty();
    // Nothing is kept for a channel in no room.
    assertThat(channelEntries).containsOnlyKeys("b");
    assertThat(rooms.members("lobby")).containsExactly("b");
    assertThat(rooms.members("a")).isEmpty();
    assertThat(rooms.roomCount()).isEqualTo(1);
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void aRoomAndAChannelGrowFromOneMembershipToManyAndBack() {
    rooms.join("lobby", "a", m("lobby", "a", "a@lobby"), "a", 10);
    rooms.join("lobby", "b", m("lobby", "b", "b@lobby"), "b", 10);
    rooms.join("news", "a", m("news", "a", "a@news"), "a", 10);

    assertThat(rooms.members("lobby")).containsExactlyInAnyOrder("a", "b");
    assertThat(rooms.rooms("a")).containsExactlyInAnyOrder("lobby", "news");
    assertThat(rooms.leave("lobby", "a")).isTrue();
    assertThat(rooms.members("lobby")).containsExactly("b");
    assertThat(rooms.membersOfAny(Set.of("lobby"))).containsExactly("b");
    assertThat(rooms.membershipsIn("lobby")).extracting(Pair::label).containsExactly("b@lobby");
    assertThat(rooms.rooms("a")).containsExactly("news");
    assertThat(rooms.leave("lobby", "a")).isFalse();
    assertThat(rooms.leave("news", "b")).isFalse();
    assertThat(rooms.roomCount()).isEqualTo(2);
    assertThat(rooms.membershipCount()).isEqualTo(2);
    rooms.leaveAll("b");
    assertThat(rooms.members("lobby")).isEmpty();
    assertThat(rooms.roomCount()).isEqualTo(1);
  }

  @Test
  void membersOfSeveralRoomsAreListedOnce() {
    rooms.join("r1", "a", m("r1", "a", "m"), "a", 10);
    rooms.join("r2", "a", m("r2", "a", "m"), "a", 10);
    rooms.join("r2", "b", m("r2", "b", "m"), "b", 10);

    assertThat(rooms.membersOfAny(Set.of("r1", "r2"))).containsExactlyInAnyOrder("a", "b");
    assertThat(rooms.membersOfAny(Set.of("r1"))).containsExactly("a");
    assertThat(rooms.membersOfAnyCopy(Set.of())).isEmpty();
    assertThat(rooms.membersOfAny(Set.of("nowhere"))).isEmpty();
  }

  @Test
  void joinsRacingAtTheLimitLetExactlyTheLimitIn() throws Exception {
    int max = 5;
    int threads = 4;
    int perThread = 10;
    List<Integer> joined = Concurrently.run(threads, Timeouts.STEP, thread -> {
      int in = 0;
      for (int i = 0; i < perThread; i++) {
        String room = "room-" + thread + "-" + i;
        if (rooms.join(room, "a", m(room, "a", "m"), "a", max) == Joined.JOINED) {
          in++;
        }
      }
      return in;
    });

    assertThat(joined.stream().mapToInt(Integer::intValue).sum()).isEqualTo(max);
    assertThat(rooms.rooms("a")).hasSize(max);
    assertThat(rooms.roomCount()).isEqualTo(max);
    assertThat(rooms.membershipCount()).isEqualTo(max);
  }

  @Test
  void countsStayTrueUnderConcurrentJoinsAndLeaves() throws Exception {
    int threads = 4;
    Concurrently.run(threads, Timeouts.STEP, t -> {
      String channel = "c" + t;
      for (int i = 0; i < 200; i++) {
        rooms.join("shared", channel, m("shared", channel, "m"), channel, 10);
        rooms.join("room-" + (i % 3), channel, m("room-" + (i % 3), channel, "m"), channel, 10);
        if (i % 2 == 0) {
          rooms.leave("shared", channel);
        } else {
          rooms.leaveAll(channel);
        }
      }
      rooms.join("shared", channel, m("shared", channel, "m"), channel, 10);
      return null;
    });

    assertThat(rooms.members("shared")).hasSize(threads);
    int pairs = 0;
    for (int t = 0; t < threads; t++) {
      pairs += rooms.rooms("c" + t).size();
    }
    assertThat(rooms.membershipCount()).isEqualTo(pairs);
  }
}
