package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.protocol.DisconnectReason;
import dev.parley.spi.Bus;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@code start()} once, {@code close()} once, and what close owes: posts finished, clients told, threads ended. */
class ChatServerLifecycleTest {

  private final InProcessTransport transport = new InProcessTransport();

  @Test
  void secondStartDoesNothing() {
    try (ChatServer server = serverOn(transport).start()) {
      transport.connect("/");

      assertThat(server.start()).isSameAs(server);

      assertThat(server.isRunning()).isTrue();
      assertThat(server.stats().sessions()).isEqualTo(1);
    }
  }

  @Test
  void startAfterCloseThrows() {
    ChatServer server = serverOn(transport).start();
    server.close();

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ChatServer is stopped; make a new one");
  }

  @Test
  void sendingAfterCloseThrows() {
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer server = serverOn(transport).onConnection(channels).start();
    Channel channel = channels.of(transport.connect("/"));
    server.close();

    assertThatThrownBy(() -> server.emit("notice", "hi"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
    assertThatThrownBy(() -> server.to("lobby").emit("notice", "hi"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
    assertThatThrownBy(() -> server.room("lobby").post("chat", "hi"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
    assertThatThrownBy(() -> channel.join("lobby"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
    assertThatThrownBy(() -> channel.emit("notice", "hi"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
    assertThatThrownBy(() -> channel.post("lobby", "chat", "hi"))
        .isInstanceOf(IllegalStateException.class).hasMessage("ChatServer is closed");
  }

  @Test
  void closeIsIdempotent() {
    ChatServer server = serverOn(transport).start();

    server.close();
    assertThatCode(server::close).doesNotThrowAnyException();

    assertThat(server.isRunning()).isFalse();
    StepVerifier.create(server.onClose()).expectComplete().verify(Timeouts.EXPECTED);
  }

  @Test
  void closingAServerThatNeverStartedEndsIt() {
    ChatServer server = serverOn(transport).build();

    server.close();

    StepVerifier.create(server.onClose()).expectComplete().verify(Timeouts.EXPECTED);
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeDisconnectsClientsAsShuttingDown() {
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer server = serverOn(transport).onConnection(channels).start();
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);

    server.close();

    StepVerifier.create(channel.onDisconnect())
        .expectNext(DisconnectReason.SERVER_SHUTTING_DOWN)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    // The client is told with a DISCONNECT packet (which TestClient reports as a server namespace
    // disconnect), as Socket.IO's io.close() does, rather than having its connection cut.
    assertThat(client.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(client.isConnected()).isFalse();
    assertThat(channel.connected()).isFalse();
    assertThat(server.namespace().channels()).isEmpty();
  }

  @Test
  void aHandlerThatClosesTheClosingServerDoesNotWaitForThatClose() {
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer server = serverOn(transport).onConnection(channels).start();
    Channel channel = channels.of(transport.connect("/"));
    AtomicBoolean closed = new AtomicBoolean();
    server.onClose().subscribe(null, null, () -> closed.set(true));
    AtomicReference<Thread> handlerThread = new AtomicReference<>();
    AtomicBoolean returnedWhileClosing = new AtomicBoolean();
    channel.onDisconnect().subscribe(reason -> {
      handlerThread.set(Thread.currentThread());
      server.close();
      returnedWhileClosing.set(!closed.get());
    });

    server.close();

    // The closing thread waits for the handler threads; had the handler's close() waited for that close in
    // turn, it could only have returned once the server had closed (after the handler pool's deadline).
    assertThat(handlerThread.get()).isNotNull().isNotSameAs(Thread.currentThread());
    assertThat(returnedWhileClosing).isTrue();
    assertThat(closed).isTrue();
  }

  @Test
  void closeRefusesNewConnections() {
    ChatServer server = serverOn(transport).start();
    server.close();

    assertThatThrownBy(() -> transport.connect("/")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeLetsInFlightPostsFinish() {
    Scheduler slow = Schedulers.newSingle("slow-store");
    try {
      MemoryStore memory = new MemoryStore();
      ChatServer server = serverOn(transport).store(new DelayedStore(memory, slow)).start();
      Mono<Message> posted = server.room("lobby").post("chat", "last words");
      assertThat(memory.retained("/", "lobby")).as("still in flight when close is called").isZero();

      server.close();

      // Checked without waiting: close() must have returned only after the post completed.
      assertThat(posted.toFuture())
          .isCompletedWithValueMatching(m -> m.payload().asString().equals("last words"));
      assertThat(memory.history("/", "lobby", HistoryQuery.latest(10)).collectList().block(Timeouts.EXPECTED))
          .extracting(m -> m.payload().asString())
          .containsExactly("last words");
    } finally {
      slow.dispose();
    }
  }

  @Test
  void closeEndsEveryThreadItStarted() {
    Set<Thread> before = parleyThreads();
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer server = serverOn(transport)
        .config(c -> c.virtualThreads(false).handlerThreads(4).ackTimeout(Duration.ofSeconds(30)))
        .onConnection(channel -> channel.on("ping", (ch, event) -> event.ack("pong")))
        .onConnection(channels)
        .start();
    TestClient client = transport.connect("/").respond("ask", args -> new Object[] {"yes"});
    // Handlers, the ack timer and emits: every part of the engine that may start a thread.
    StepVerifier.create(client.emitWithAck("ping")).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);
    StepVerifier.create(channels.of(client).emitWithAck("ask")).expectNextCount(1).expectComplete()
        .verify(Timeouts.EXPECTED);
    server.emit("notice", "hi");
    assertThat(client.next().name()).isEqualTo("notice");
    assertThat(parleyThreads()).as("the server started threads of its own").isNotEqualTo(before);

    server.close();

    await().atMost(Timeouts.EXPECTED).untilAsserted(() ->
        assertThat(parleyThreads())
            .as("threads named parley-* still alive after close")
            .isSubsetOf(before));
  }

  private static Set<Thread> parleyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("parley-"))
        .collect(Collectors.toSet());
  }

  /** A memory store whose appends take a while, on a scheduler the server does not own. */
  private static final class DelayedStore implements Store {
    private final MemoryStore delegate;
    private final Scheduler scheduler;

    DelayedStore(MemoryStore delegate, Scheduler scheduler) {
      this.delegate = delegate;
      this.scheduler = scheduler;
    }

    @Override
    public Mono<Void> start() {
      return delegate.start();
    }

    @Override
    public Mono<Void> stop() {
      return delegate.stop();
    }

    @Override
    public Mono<Message> append(Post post) {
      return Mono.delay(Duration.ofMillis(300), scheduler).then(delegate.append(post));
    }

    @Override
    public Flux<Message> history(String namespace, String room, HistoryQuery query) {
      return delegate.history(namespace, room, query);
    }

    @Override
    public Flux<Message> feed() {
      return delegate.feed();
    }

    @Override
    public Bus bus() {
      return delegate.bus();
    }
  }
}
