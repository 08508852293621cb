package dev.parley.test.engine;

import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Batching;
import dev.parley.Channel;
import dev.parley.Replay;
import dev.parley.Room;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Batching#arrays}: the history as one array, then each live post as an array of one; and {@link Replay#all}. */
class BatchingTest {
  private final Nodes nodes = Nodes.sharing(new MemoryStore());

  @AfterEach
  void close() {
    nodes.close();
  }

  private static List<String> post(Room room, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(room.post("m", i).block(Timeouts.EXPECTED).id());
    }
    return ids;
  }

  @Test
  void historyAsOneArrayThenEachLivePostAsAnArrayOfOne() {
    Nodes.Node node = nodes.start();
    Room room = node.server().room("r");
    List<String> ids = post(room, 3);
    TestClient client = node.connect();

    node.channel(client).join("r", Replay.all(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    String live = room.post("m", 3).block(Timeouts.EXPECTED).id();
    node.server().to("r").emit("end");

    List<ReceivedEvent> got = until(client, "end");
    assertThat(got).extracting(ReceivedEvent::name).containsExactly("messages", "messages");
    assertThat(got.get(0).arg(0).toString()).isEqualTo("[0,1,2]");
    assertThat(got.get(0).messageId()).isEqualTo(ids.get(2));
    assertThat(got.get(1).arg(0).toString()).isEqualTo("[3]");
    assertThat(got.get(1).messageId()).isEqualTo(live);
  }

  @Test
  void anEmptyHistoryIsAnEmptyArrayAndNoReplayIsNoArray() {
    Nodes.Node node = nodes.start();
    TestClient empty = node.connect();
    TestClient liveOnly = node.connect();

    node.channel(empty).join("r", Replay.last(50), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    node.channel(liveOnly).join("r", Replay.none(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    node.server().room("r").post("m", "x").block(Timeouts.EXPECTED);
    node.server().to("r").emit("end");

    assertThat(until(empty, "end")).extracting(e -> e.arg(0).toString()).containsExactly("[]", "[\"x\"]");
    assertThat(until(liveOnly, "end")).extracting(e -> e.arg(0).toString()).containsExactly("[\"x\"]");
  }

  @Test
  void aResumeFromAnArraysIdGetsWhatCameAfterIt() {
    Nodes.Node node = nodes.start();
    Room room = node.server().room("r");
    post(room, 2);
    TestClient first = node.connect();
    node.channel(first).join("r", Replay.all(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    node.server().to("r").emit("end");
    String offset = until(first, "end").get(0).messageId();
    post(room, 2);

    TestClient again = node.connect();
    node.channel(again).join("r", Replay.after(offset), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    node.server().to("r").emit("end");

    assertThat(until(again, "end")).extracting(e -> e.arg(0).toString()).containsExactly("[0,1]");
  }

  @Test
  void theChannelsOwnPostsAreLeftOut() {
    Nodes.Node node = nodes.start();
    TestClient client = node.connect();
    Channel channel = node.channel(client);
    channel.join("r", Replay.none(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    channel.post("r", "m", "mine").block(Timeouts.EXPECTED);
    node.server().room("r").post("m", "theirs").block(Timeouts.EXPECTED);
    node.server().to("r").emit("end");

    assertThat(until(client, "end")).extracting(e -> e.arg(0).toString()).containsExactly("[\"theirs\"]");
  }

  @Test
  void allIsEveryStoredMessageAcrossPages() {
    Nodes.Node node = nodes.start(b -> b.config(c -> c.replayPageSize(7).maxHistoryPage(10)));
    Room room = node.server().room("r");
    List<String> ids = post(room, 40);
    TestClient client = node.connect();

    node.join(client, "r", Replay.all());
    node.server().to("r").emit("end");

    assertThat(Nodes.messageIds(until(client, "end"))).isEqualTo(ids);
  }

  @Test
  void aReplayLongerThanAHistoryPageComesAsSeveralArrays() {
    Nodes.Node node = nodes.start(b -> b.config(c -> c.replayPageSize(7).maxHistoryPage(10)));
    List<String> ids = post(node.server().room("r"), 25);
    TestClient client = node.connect();

    node.channel(client).join("r", Replay.all(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    node.server().to("r").emit("end");

    List<ReceivedEvent> got = until(client, "end");
    assertThat(got).extracting(e -> e.arg(0).size()).containsExactly(10, 10, 5);
    assertThat(got).extracting(ReceivedEvent::messageId).containsExactly(ids.get(9), ids.get(19), ids.get(24));
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> Batching.arrays("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Batching.arrays("connect")).isInstanceOf(IllegalArgumentException.class);
    Nodes.Node node = nodes.start();
    Channel channel = node.channel(node.connect());
    assertThatThrownBy(() -> channel.join("r", Replay.all(), null)).isInstanceOf(NullPointerException.class);
  }
}
