package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.HistoryQuery;
import dev.parley.Replay;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad names, bad arguments and bad settings are refused synchronously, with an
 * {@link IllegalArgumentException} that says what was wrong and what is allowed, and nothing is sent.
 */
class ValidationTest {

  private static final String LONGEST = "e".repeat(ChatServerConfig.MAX_NAME_LENGTH);
  private static final String TOO_LONG = "e".repeat(ChatServerConfig.MAX_NAME_LENGTH + 1);
  private static final String RULE = "must be 1..128 chars, no control characters";

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private ChatServer server;
  private TestClient client;
  private Channel channel;

  @BeforeEach
  void start() {
    server = serverOn(transport).onConnection(channels).start();
    client = transport.connect("/");
    channel = channels.of(client);
    channel.join("lobby");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Every way the application names an event it sends or handles. */
  static Stream<Arguments> eventNameUses() {
    return Stream.of(
        use("server.emit", (ValidationTest t, String name) -> t.server.emit(name)),
        use("namespace.emit", (ValidationTest t, String name) -> t.server.namespace().emit(name)),
        use("broadcast.emit", (ValidationTest t, String name) -> t.server.to("lobby").emit(name)),
        use("room.emit", (ValidationTest t, String name) -> t.server.room("lobby").emit(name)),
        use("room.post", (ValidationTest t, String name) -> t.server.room("lobby").post(name, "x")),
        use("channel.emit", (ValidationTest t, String name) -> t.channel.emit(name)),
        use("channel.emitWithAck", (ValidationTest t, String name) -> t.channel.emitWithAck(name)),
        use("channel.post", (ValidationTest t, String name) -> t.channel.post("lobby", name, "x")),
        use("channel.on", (ValidationTest t, String name) -> t.channel.on(name, (ch, e) -> { })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventNameUses")
  void emptyEventNameIsRefused(NameUse use) {
    assertRefused(use, "", "event name " + RULE + " (empty): \"\"");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventNameUses")
  void eventNameOverTheLimitIsRefused(NameUse use) {
    assertRefused(use, TOO_LONG, "event name " + RULE + " (129 chars)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventNameUses")
  void eventNameWithANewlineIsRefused(NameUse use) {
    assertRefused(use, "chat\nevil", "event name " + RULE + " (control character at 4): \"chat\\nevil\"");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventNameUses")
  void eventNameAtTheLimitIsAccepted(NameUse use) {
    assertThatCode(() -> use.apply(this, LONGEST)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})
  void reservedEventNamesCannotBeEmitted(String reserved) {
    assertThatThrownBy(() -> server.emit(reserved))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("event name is reserved by the protocol: \"" + reserved + "\" (reserved: connect, "
            + "connect_error, disconnect, disconnecting, newListener, removeListener)");
    assertThatThrownBy(() -> channel.emit(reserved)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> channel.on(reserved, (ch, e) -> { })).isInstanceOf(IllegalArgumentException.class);
  }

  /** Every way the application names a room. */
  static Stream<Arguments> roomNameUses() {
    return Stream.of(
        use("server.room", (ValidationTest t, String name) -> t.server.room(name)),
        use("server.to", (ValidationTest t, String name) -> t.server.to(name)),
        use("server.except", (ValidationTest t, String name) -> t.server.except(name)),
        use("broadcast.except", (ValidationTest t, String name) -> t.server.to("lobby").except(name)),
        use("channel.join", (ValidationTest t, String name) -> t.channel.join(name)),
        use("channel.join with replay", (ValidationTest t, String name) -> t.channel.join(name, Replay.last(5))),
        use("channel.leave", (ValidationTest t, String name) -> t.channel.leave(name)),
        use("channel.to", (ValidationTest t, String name) -> t.channel.to(name)),
        use("channel.post", (ValidationTest t, String name) -> t.channel.post(name, "chat", "x")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("roomNameUses")
  void emptyRoomNameIsRefused(NameUse use) {
    assertRefused(use, "", "room name " + RULE + " (empty): \"\"");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("roomNameUses")
  void roomNameOverTheLimitIsRefused(NameUse use) {
    assertRefused(use, "r".repeat(200), "room name " + RULE + " (200 chars)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("roomNameUses")
  void roomNameWithControlCharactersIsRefused(NameUse use) {
    assertRefused(use, "lobby\u0000", "room name " + RULE + " (control character at 5): \"lobby\\u0000\"");
    assertRefused(use, "a\tb", "(control character at 1)");
    assertRefused(use, "a\u0085b", "(control character at 1)");
  }

  @Test
  void roomNamesAreOtherwisePlainValues() {
    // No query syntax: "$" operators and dots are ordinary characters of a room name.
    assertThatCode(() -> server.room("{\"$ne\": null}").post("chat", "x").block(Timeouts.EXPECTED))
        .doesNotThrowAnyException();
    assertThatCode(() -> channel.join("a.b$c")).doesNotThrowAnyException();
  }

  @Test
  void leavingTheRoomOfTheChannelsOwnIdIsRefused() {
    assertThatThrownBy(() -> channel.leave(channel.id()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot leave the room of its own id");
    assertThat(channel.rooms()).contains(channel.id());
  }

  @Test
  void namespaceWithoutLeadingSlashIsRefused() {
    assertThatThrownBy(() -> server.namespace("admin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namespace name must start with \"/\": \"admin\"");
    assertThatThrownBy(() -> server.namespace(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namespace name " + RULE + " (empty): \"\"");
    assertThatThrownBy(() -> server.namespace("/ad\nmin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace name " + RULE + " (control character at 3)");
    assertThatThrownBy(() -> ChatServer.builder().namespace("admin", ns -> { }).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namespace name must start with \"/\": \"admin\"");
  }

  /** Values Jackson cannot turn into JSON. */
  static Stream<Arguments> unserialisable() {
    SelfReferencing loop = new SelfReferencing();
    loop.self = loop;
    return Stream.of(
        Arguments.of(named("a getter that throws", new ThrowingGetter()), ThrowingGetter.class),
        Arguments.of(named("a self-referencing object", loop), SelfReferencing.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unserialisable")
  void unserialisableArgumentIsRefusedAndNothingIsSent(Object bad, Class<?> type) {
    String expected = "argument 1 of event \"chat\" cannot be serialised to JSON (" + type.getName() + ")";
    assertThatThrownBy(() -> server.emit("chat", "fine", bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(expected);
    assertThatThrownBy(() -> server.to("lobby").emit("chat", "fine", bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(expected);
    assertThatThrownBy(() -> channel.emit("chat", "fine", bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(expected);
    assertThatThrownBy(() -> channel.emitWithAck("chat", "fine", bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(expected);
    assertThatThrownBy(() -> server.room("lobby").post("chat", bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("argument 0 of event \"chat\" cannot be serialised to JSON (" + type.getName() + ")");

    // None of the refused sends left anything behind: the next event the client gets is the next one sent.
    server.emit("after", 1);
    assertThat(client.next().name()).isEqualTo("after");
    assertThat(server.room("lobby").history(10).collectList().block(Timeouts.EXPECTED)).isEmpty();
  }

  @Test
  void nonPositiveAckTimeoutOfOneEmitIsRefused() {
    assertThatThrownBy(() -> channel.emitWithAck(Duration.ZERO, "ask"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ack timeout must be positive: PT0S");
    assertThatThrownBy(() -> channel.emitWithAck(Duration.ofSeconds(-1), "ask"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ack timeout must be positive");
  }

  @Test
  void nonPositiveReplayAndHistoryLimitsAreRefused() {
    assertThatThrownBy(() -> Replay.last(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("replay count must be positive: 0");
    assertThatThrownBy(() -> HistoryQuery.latest(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("history limit must be positive: -1");
  }

  @Nested
  class Config {

    static Stream<Arguments> badSettings() {
      return Stream.of(
          setting("ackTimeout zero", b -> b.ackTimeout(Duration.ZERO), "ackTimeout must be positive: PT0S"),
          setting("ackTimeout negative", b -> b.ackTimeout(Duration.ofMillis(-5)), "ackTimeout must be positive"),
          setting("shutdownTimeout zero", b -> b.shutdownTimeout(Duration.ZERO), "shutdownTimeout must be positive"),
          setting("startTimeout negative", b -> b.startTimeout(Duration.ofSeconds(-1)), "startTimeout must be positive"),
          setting("maxPendingAcks 0", b -> b.maxPendingAcks(0), "maxPendingAcks must be at least 1: 0"),
          setting("outboundBufferSize 1", b -> b.outboundBufferSize(1), "outboundBufferSize must be at least 2: 1"),
          setting("maxRoomsPerChannel 0", b -> b.maxRoomsPerChannel(0), "maxRoomsPerChannel must be at least 1: 0"),
          setting("maxEventsPerSecond 0", b -> b.maxEventsPerSecond(0), "maxEventsPerSecond must be at least 1: 0"),
          setting("maxEventBurst 0", b -> b.maxEventBurst(0), "maxEventBurst must be at least 1: 0"),
          setting("maxConnectionsPerAddress 0", b -> b.maxConnectionsPerAddress(0),
              "maxConnectionsPerAddress must be at least 1: 0"),
          setting("connectTimeout zero", b -> b.connectTimeout(Duration.ZERO), "connectTimeout must be positive: PT0S"),
          setting("maxHistoryPage 0", b -> b.maxHistoryPage(0), "maxHistoryPage must be at least 1: 0"),
          setting("replayPageSize -1", b -> b.replayPageSize(-1), "replayPageSize must be at least 1: -1"),
          setting("maxDisconnectionDuration negative", b -> b.maxDisconnectionDuration(Duration.ofSeconds(-1)),
              "maxDisconnectionDuration must be zero (recovery off) or positive: PT-1S"),
          setting("recoveryJournalSize 0", b -> b.recoveryJournalSize(0), "recoveryJournalSize must be at least 1: 0"),
          setting("handlerThreads 0", b -> b.handlerThreads(0), "handlerThreads must be at least 1: 0"),
          setting("nodeId blank", b -> b.nodeId("  "), "nodeId must not be blank"),
          setting("clusterHeartbeat zero", b -> b.clusterHeartbeat(Duration.ZERO),
              "clusterHeartbeat must be positive"),
          setting("clusterTimeout negative", b -> b.clusterTimeout(Duration.ofSeconds(-1)),
              "clusterTimeout must be positive"),
          setting("clusterNodeTimeout not above the heartbeat", b -> b.clusterHeartbeat(Duration.ofSeconds(5))
              .clusterNodeTimeout(Duration.ofSeconds(5)), "clusterNodeTimeout (5000 ms) must be longer than"
              + " clusterHeartbeat (5000 ms)"),
          setting("port -1", b -> b.port(-1), "port must be 0..65535: -1"),
          setting("port 65536", b -> b.port(65_536), "port must be 0..65535: 65536"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void badSettingIsRefusedNamingIt(Consumer<ChatServerConfig.Builder> change, String message) {
      ChatServerConfig.Builder builder = ChatServerConfig.builder();
      change.accept(builder);

      assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
      assertThatThrownBy(() -> ChatServer.builder().config(change))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void recoveryIsOnByDefaultForTwoMinutes() {
      ChatServerConfig defaults = ChatServerConfig.defaults();
      assertThat(defaults.maxDisconnectionDuration()).isEqualTo(Duration.ofMinutes(2));
      assertThat(defaults.recoveryJournalSize()).isEqualTo(1000);
    }

    @Test
    void nullDurationIsRefusedNamingTheSetting() {
      assertThatThrownBy(() -> ChatServerConfig.builder().ackTimeout(null).build())
          .isInstanceOf(NullPointerException.class).hasMessage("ackTimeout");
    }

    @Test
    void smallestValidSettingsAreAccepted() {
      assertThatCode(() -> ChatServerConfig.builder().ackTimeout(Duration.ofNanos(1)).maxPendingAcks(1)
          .outboundBufferSize(2).maxRoomsPerChannel(1).maxEventsPerSecond(1).maxEventBurst(1)
          .maxConnectionsPerAddress(1).connectTimeout(Duration.ofNanos(1))
          .maxHistoryPage(1).replayPageSize(1).maxDisconnectionDuration(Duration.ZERO).recoveryJournalSize(1)
          .handlerThreads(1).port(0).build())
          .doesNotThrowAnyException();
      assertThatCode(() -> ChatServerConfig.builder().port(65_535).build()).doesNotThrowAnyException();
    }

    private static Arguments setting(String name, Consumer<ChatServerConfig.Builder> change, String message) {
      return Arguments.of(named(name, change), message);
    }
  }

  private void assertRefused(NameUse use, String name, String messagePart) {
    assertThatThrownBy(() -> use.apply(this, name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(messagePart);
  }

  private static Arguments use(String description, NameUse use) {
    return Arguments.of(named(description, use));
  }

  /** One call that takes a name. */
  @FunctionalInterface
  interface NameUse {
    void apply(ValidationTest test, String name) throws Throwable;
  }

  /** A bean whose only property cannot be read. */
  public static final class ThrowingGetter {
    public String getValue() {
      throw new IllegalStateException("cannot read value");
    }
  }

  /** A bean that contains itself. */
  public static final class SelfReferencing {
    public SelfReferencing self;
    public String name = "loop";
  }
}
