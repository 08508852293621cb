package dev.parley.internal.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.internal.recovery.SavedSession.Position;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Where a reconnecting client is in each room, from its offset and what its channel was sent. */
class SavedSessionTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Map<String, Position> starts(Object... roomAndStart) {
    Map<String, Position> out = new LinkedHashMap<>();
    for (int i = 0; i < roomAndStart.length; i += 2) {
      out.put((String) roomAndStart[i], (Position) roomAndStart[i + 1]);
    }
    return out;
  }

  /** A journal from "room:id" entries, oldest first, with up to {@code capacity} kept. */
  private static RecoveryJournal journal(int capacity, String... entries) {
    RecoveryJournal journal = new RecoveryJournal(capacity);
    for (String entry : entries) {
      String[] parts = entry.split(":");
      journal.add(parts[0], parts[1]);
    }
    return journal;
  }

  private static SavedSession session(Map<String, Position> starts, RecoveryJournal journal) {
    return SavedSession.of("ch", starts, journal.snapshot(), null, JsonNodeFactory.instance.objectNode());
  }

  @Test
  void eachRoomResumesAfterItsLastMessageAtOrBeforeTheOffset() {
    // Ids of different rooms do not compare: only the journal's order says what came before the offset.
    SavedSession session = session(starts("a", Position.after(""), "b", Position.after("b0")),
        journal(10, "a:a1", "b:b7", "a:a2", "b:b8", "a:a3"));

    assertThat(session.positions("b7")).hasValue(Map.of("a", Position.after("a1"), "b", Position.after("b7")));
    assertThat(session.positions("a2")).hasValue(Map.of("a", Position.after("a2"), "b", Position.after("b7")));
    assertThat(session.positions("a3")).hasValue(Map.of("a", Position.after("a3"), "b", Position.after("b8")));
  }

  @Test
  void aRoomTheClientGotNothingOfResumesFromWhereItStarted() {
    SavedSession session = session(starts("a", Position.after("a0"), "b", Position.before("b5"), "c", null),
        journal(10, "a:a1", "b:b5"));

    assertThat(session.positions(null)).as("room c has no start and no entry: no place").isEmpty();
    SavedSession complete = session.withStarts(Map.of("c", "c9"));
    assertThat(complete.positions("a1"))
        .hasValue(Map.of("a", Position.after("a1"), "b", Position.before("b5"), "c", Position.after("c9")));
    assertThat(complete.positions(null))
        .hasValue(Map.of("a", Position.after("a0"), "b", Position.before("b5"), "c", Position.after("c9")));
  }

  @Test
  void anEntryFromBeforeTheRoomWasJoinedAgainGivesWayToTheStart() {
    SavedSession session = session(starts("a", Position.after("a5")), journal(10, "a:a1", "x:x1"));

    assertThat(session.positions("x1")).hasValue(Map.of("a", Position.after("a5")));
  }

  @Test
  void anOffsetNotInTheJournalOrInItTwiceNamesNoPlace() {
    SavedSession session = session(starts("a", Position.after(""), "b", Position.after("")),
        journal(10, "a:1", "b:1", "a:2"));

    assertThat(session.positions("3")).isEmpty();
    assertThat(session.positions("1")).as("the same id in two rooms is ambiguous").isEmpty();
    assertThat(session.positions("2")).isPresent();
  }

  @Test
  void droppedEntriesBecomeTheirRoomsStart() {
    RecoveryJournal journal = journal(3, "a:a1", "b:b1", "a:a2", "a:a3", "b:b2");

    assertThat(journal.size()).isEqualTo(3);
    SavedSession session = session(starts("a", Position.after(""), "b", Position.after("")), journal);
    assertThat(session.truncated()).isTrue();
    assertThat(session.positions("a1")).as("dropped: too old").isEmpty();
    assertThat(session.positions("a3"))
        .hasValue(Map.of("a", Position.after("a3"), "b", Position.after("b1")));
    assertThat(session.positions(null)).as("the client must have had what was dropped").isEmpty();
  }

  @Test
  void aRecoveredChannelThatWasSentNothingTakesItsOldOffsetAgain() {
    SavedSession session = SavedSession.of("ch", starts("a", Position.after("a4")), journal(10).snapshot(), "a4",
        JsonNodeFactory.instance.objectNode());

    assertThat(session.positions("a4")).hasValue(Map.of("a", Position.after("a4")));
    assertThat(session.positions("a3")).isEmpty();
  }

  @Test
  void theJournalGrowsToItsCapacityKeepingOrder() {
    RecoveryJournal journal = new RecoveryJournal(20);
    for (int i = 0; i < 25; i++) {
      journal.add("r" + (i % 3), String.format("%02d", i));
    }
    RecoveryJournal.Snapshot snapshot = journal.snapshot();
    assertThat(snapshot.ids()).hasSize(20).first().isEqualTo("05");
    assertThat(snapshot.ids()).isSorted().last().isEqualTo("24");
    assertThat(snapshot.rooms().get(0)).isEqualTo("r2");
    assertThat(snapshot.evicted()).containsEntry("r0", "03").containsEntry("r1", "04").containsEntry("r2", "02");
  }

  @Test
  void survivesJsonUnchanged() {
    SavedSession session = SavedSession.of("ch", starts("a", Position.after("a0"), "b", Position.before("b1")),
        journal(10, "a:a1", "b:b1").snapshot(), "a0", JsonNodeFactory.instance.objectNode().put("user", "ann"));

    assertThat(SavedSession.fromJson(JSON, session.toJson(JSON))).isEqualTo(session);
  }

  @Test
  void namesThatJsonMustEscapeSurviveAndReadAsJacksonWouldWriteThem() {
    String odd = "q\"b\\n\n\t\u0001\u001f é 💬 \ud800 end";
    SavedSession session = SavedSession.of(odd, starts(odd, Position.after(odd), "", null),
        journal(10).snapshot(), odd, JsonNodeFactory.instance.objectNode().put(odd, odd));
    var journal = new RecoveryJournal(10);
    journal.add(odd, odd);
    SavedSession withSent = SavedSession.of(odd, starts(odd, Position.before(odd)), journal.snapshot(), null,
        JsonNodeFactory.instance.objectNode());

    for (SavedSession each : new SavedSession[] {session, withSent}) {
      String json = each.toJson(JSON);
      assertThat(SavedSession.fromJson(JSON, json)).isEqualTo(each);
      assertThat(json).doesNotContain("\n", "\t", "\u0001");
    }
    var expected = JsonNodeFactory.instance.objectNode().put("v", 1).put("id", odd);
    expected.putObject("rooms").put("", (String) null).putObject(odd).put("after", odd);
    expected.putArray("sent");
    expected.put("truncated", false).put("resumedFrom", odd).putObject("data").put(odd, odd);
    assertThat(JSON.readTree(session.toJson(JSON))).isEqualTo(expected);
  }

  @Test
  void refusesWhatItDidNotWrite() {
    assertThatThrownBy(() -> SavedSession.fromJson(JSON, "{\"v\":2}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("saved session has an unknown shape");
    assertThatThrownBy(() -> SavedSession.fromJson(JSON, "not json")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("saved session is not JSON");
  }
}
