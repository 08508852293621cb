package dev.parley.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.internal.RoomRegistry.Joined;
import dev.parley.testsupport.Concurrently;
import dev.parley.testsupport.Timeouts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one record of which channels are in which rooms: both views, the room limit, and the counts. */
class RoomRegistryTest {
  private final RoomRegistry<String, String> rooms = new RoomRegistry<>();

  @Test
  void aJoinedChannelIsSeenFromTheRoomAndFromTheChannel() {
    assertThat(rooms.join("lobby", "a", "a@lobby", "a", 10)).isEqualTo(Joined.JOINED);
    rooms.join("lobby", "b", "b@lobby", "b", 10);

    assertThat(rooms.rooms("a")).containsExactly("lobby");
    assertThat(rooms.members("lobby")).containsExactlyInAnyOrder("a", "b");
    assertThat(rooms.membershipsIn("lobby")).containsExactlyInAnyOrder("a@lobby", "b@lobby");
    assertThat(rooms.memberships("a")).isEqualTo(Map.of("lobby", "a@lobby"));
    assertThat(rooms.roomCount()).isEqualTo(1);
    assertThat(rooms.membershipCount()).isEqualTo(2);
  }

  @Test
  void joiningTwiceKeepsTheFirstMembership() {
    rooms.join("lobby", "a", "first", "a", 10);

    assertThat(rooms.join("lobby", "a", "second", "a", 10)).isEqualTo(Joined.ALREADY_IN);
    assertThat(rooms.membershipsIn("lobby")).containsExactly("first");
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void theOwnRoomDoesNotCountTowardsTheLimit() {
    rooms.add("a", "a", "own");
    rooms.join("r1", "a", "m1", "a", 2);

    assertThat(rooms.join("r2", "a", "m2", "a", 2)).isEqualTo(Joined.JOINED);
    assertThat(rooms.join("r3", "a", "m3", "a", 2)).isEqualTo(Joined.AT_LIMIT);
    assertThat(rooms.rooms("a")).containsExactlyInAnyOrder("a", "r1", "r2");
    assertThat(rooms.members("r3")).isEmpty();
  }

  @Test
  void addReplacesAMembershipWithoutCountingItTwice() {
    rooms.add("lobby", "a", "old");
    rooms.add("lobby", "a", "new");

    assertThat(rooms.membershipsIn("lobby")).containsExactly("new");
    assertThat(rooms.memberships("a")).isEqualTo(Map.of("lobby", "new"));
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void leavingTheLastMemberRemovesTheRoom() {
    rooms.join("lobby", "a", "m", "a", 10);

    assertThat(rooms.leave("lobby", "a")).isTrue();
    assertThat(rooms.leave("lobby", "a")).isFalse();
    assertThat(rooms.roomCount()).isZero();
    assertThat(rooms.membershipCount()).isZero();
    assertThat(rooms.rooms("a")).isEmpty();
  }

  @Test
  void leaveAllTakesTheChannelOutOfEveryRoomAndLeavesOthersIn() {
    rooms.add("a", "a", "own");
    rooms.join("lobby", "a", "a@lobby", "a", 10);
    rooms.join("lobby", "b", "b@lobby", "b", 10);

    rooms.leaveAll("a");

    assertThat(rooms.rooms("a")).isEmpty();
    assertThat(rooms.members("lobby")).containsExactly("b");
    assertThat(rooms.members("a")).isEmpty();
    assertThat(rooms.roomCount()).isEqualTo(1);
    assertThat(rooms.membershipCount()).isEqualTo(1);
  }

  @Test
  void membersOfSeveralRoomsAreListedOnce() {
    rooms.join("r1", "a", "m", "a", 10);
    rooms.join("r2", "a", "m", "a", 10);
    rooms.join("r2", "b", "m", "b", 10);

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
        if (rooms.join("room-" + thread + "-" + i, "a", "m", "a", max) == Joined.JOINED) {
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
        rooms.join("shared", channel, "m", channel, 10);
        rooms.join("room-" + (i % 3), channel, "m", channel, 10);
        if (i % 2 == 0) {
          rooms.leave("shared", channel);
        } else {
          rooms.leaveAll(channel);
        }
      }
      rooms.join("shared", channel, "m", channel, 10);
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
