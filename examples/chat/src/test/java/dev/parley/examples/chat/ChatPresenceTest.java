package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.examples.chat.RawSocket.Frame;
import dev.parley.testsupport.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence as raw Socket.IO clients receive it: a user entering a room gets the list once, everyone else
 * one small {@code joined} or {@code left} event, so a join costs the room a constant per member instead
 * of the whole list. "Nothing else arrived" is checked by the next event being the expected one.
 */
class ChatPresenceTest {
  // 42["joined",{"room":"general","user":"carol"}] is 46 chars: a delta never grows with the room.
  private static final int DELTA_MAX_CHARS = 80;

  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  private final List<RawSocket> sockets = new ArrayList<>();

  private RawSocket join(String nick, String room) throws Exception {
    RawSocket socket = RawSocket.connect(chat.url(), nick);
    sockets.add(socket);
    assertThat(socket.join(room).asString()).isEqualTo("ok");
    return socket;
  }

  @AfterEach
  void everyoneLeaves() {
    sockets.forEach(RawSocket::close);
    await("every room empty").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      for (String room : ChatRooms.ROOMS) {
        assertThat(chat.server().room(room).members()).as(room).isEmpty();
      }
    });
  }

  private static void assertDelta(Frame frame, String event, String room, String user) {
    assertThat(frame.event()).isEqualTo(event);
    assertThat(frame.arg().path("room").asString()).isEqualTo(room);
    assertThat(frame.arg().path("user").asString()).isEqualTo(user);
    assertThat(frame.length()).isLessThanOrEqualTo(DELTA_MAX_CHARS);
  }

  private static List<String> users(Frame presence) {
    assertThat(presence.event()).isEqualTo("presence");
    List<String> users = new ArrayList<>();
    presence.arg().path("users").forEach(user -> users.add(user.asString()));
    return users;
  }

  @Test
  void aThirdUserJoiningSendsTheOthersOneSmallDeltaAndItselfTheList() throws Exception {
    RawSocket alice = join("alice", "general");
    assertThat(users(alice.next("presence"))).containsExactly("alice");
    RawSocket bob = join("bob", "general");
    assertThat(users(bob.next("presence"))).containsExactly("alice", "bob");
    assertDelta(alice.next(), "joined", "general", "bob");

    RawSocket carol = join("carol", "general");

    assertThat(users(carol.next("presence"))).containsExactly("alice", "bob", "carol");
    assertDelta(alice.next(), "joined", "general", "carol");
    assertDelta(bob.next(), "joined", "general", "carol");

    carol.close();
    assertDelta(alice.next(), "left", "general", "carol");
    assertDelta(bob.next(), "left", "general", "carol");
    assertThat(alice.pending()).isEmpty();
  }

  @Test
  void twentyJoinsCostTheFirstMemberNineteenDeltasNotNineteenLists() throws Exception {
    RawSocket first = join("user-00", "random");
    assertThat(users(first.next("presence"))).containsExactly("user-00");
    for (int i = 1; i < 20; i++) {
      join(String.format("user-%02d", i), "random");
    }

    long chars = 0;
    for (int i = 1; i < 20; i++) {
      Frame frame = first.next();
      assertDelta(frame, "joined", "random", String.format("user-%02d", i));
      chars += frame.length();
    }
    // The whole list each time would have been 19 frames growing to 20 names: well over 4,000 chars.
    assertThat(chars).isLessThan(19L * DELTA_MAX_CHARS);
    assertThat(first.pending()).isEmpty();
  }

  @Test
  void aUserInTwoTabsIsJoinedOnceAndLeavesWithItsLastTab() throws Exception {
    RawSocket erin = join("erin", "help");
    RawSocket daveTab1 = join("dave", "help");
    assertDelta(erin.next("joined"), "joined", "help", "dave");

    RawSocket daveTab2 = join("dave", "help");
    assertThat(users(daveTab2.next("presence"))).containsExactly("dave", "erin");
    join("frank", "help");
    // Had dave's second tab been announced, erin would have had that first.
    assertDelta(erin.next(), "joined", "help", "frank");

    daveTab1.close();
    RawSocket gina = join("gina", "help");
    assertDelta(erin.next(), "joined", "help", "gina");   // no "left dave": his second tab is still here

    daveTab2.close();
    assertDelta(erin.next(), "left", "help", "dave");
    assertDelta(gina.next("left"), "left", "help", "dave");
  }

  @Test
  void switchingRoomsLeavesOneAndJoinsTheOther() throws Exception {
    RawSocket hank = join("hank", "general");
    RawSocket ivan = join("ivan", "random");
    RawSocket judy = join("judy", "general");
    assertDelta(hank.next("joined"), "joined", "general", "judy");

    assertThat(judy.join("random").asString()).isEqualTo("ok");

    assertDelta(hank.next(), "left", "general", "judy");
    assertDelta(ivan.next("joined"), "joined", "random", "judy");
    assertThat(judy.next("presence").arg().path("room").asString()).isEqualTo("general");   // when she came
    Frame random = judy.next("presence");
    assertThat(random.arg().path("room").asString()).isEqualTo("random");
    assertThat(users(random)).containsExactly("ivan", "judy");
  }
}
