package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.spi.Post;
import dev.parley.store.memory.MemoryStore;
import dev.parley.store.memory.MemoryStoreConfig;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/** A {@link MemoryStore} keeps only each room's latest messages, so its memory is bounded. */
class MemoryStoreRetentionTest {
  private final MemoryStore store = new MemoryStore(new MemoryStoreConfig(100));

  private List<String> post(String room, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Message m = store.append(new Post("/", room, "chat", JsonNodeFactory.instance.numberNode(i), null))
          .block(Timeouts.EXPECTED);
      ids.add(m.id());
    }
    return ids;
  }

  private List<Message> history(String room, HistoryQuery query) {
    List<Message> out = new ArrayList<>();
    StepVerifier.create(store.history("/", room, query))
        .recordWith(() -> out)
        .thenConsumeWhile(m -> true)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    return out;
  }

  @Test
  void keepsOnlyTheLastMessagesOfARoom() {
    List<String> ids = post("lobby", 250);

    assertThat(store.retained("/", "lobby")).isEqualTo(100);
    List<Message> all = history("lobby", HistoryQuery.latest(1000));
    assertThat(all).extracting(Message::id).containsExactlyElementsOf(ids.subList(150, 250));
    assertThat(all).extracting(m -> m.payload().asInt()).first().isEqualTo(150);
  }

  @Test
  void pagesOverRetainedMessagesOnly() {
    List<String> ids = post("lobby", 250);

    // A cursor older than anything retained starts at the oldest retained message.
    assertThat(history("lobby", HistoryQuery.after(ids.get(10), 5))).extracting(Message::id)
        .containsExactlyElementsOf(ids.subList(150, 155));
    assertThat(history("lobby", HistoryQuery.before(ids.get(160), 50))).extracting(Message::id)
        .containsExactlyElementsOf(ids.subList(150, 160));
    assertThat(history("lobby", HistoryQuery.after(ids.get(240), 50))).extracting(Message::id)
        .containsExactlyElementsOf(ids.subList(241, 250));
  }

  @Test
  void retentionIsPerRoom() {
    List<String> busy = post("busy", 130);
    List<String> quiet = post("quiet", 7);

    assertThat(history("busy", HistoryQuery.latest(1000))).extracting(Message::id)
        .containsExactlyElementsOf(busy.subList(30, 130));
    assertThat(history("quiet", HistoryQuery.latest(1000))).extracting(Message::id)
        .containsExactlyElementsOf(quiet);
  }
}
