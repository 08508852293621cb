package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the client tests share: bounded waits, a quick reconnect policy, recorders checked for leftover
 * values and resources closed after each test (last opened, first closed), and a look at the threads
 * clients leave behind.
 */
abstract class ClientTestSupport {
  static final Duration WAIT = Recorder.WAIT;
  /** Quick, predictable reconnection for tests. */
  static final Reconnect FAST = new Reconnect(Duration.ofMillis(50), Duration.ofMillis(400), 2.0, 0.0,
      Reconnect.UNLIMITED);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Recorder<?>> recorders = new ArrayList<>();

  @AfterEach
  void closeResources() throws Exception {
    try {
      // Before closing: a client's close adds its own disconnect to the recorders.
      for (Recorder<?> recorder : recorders) {
        recorder.assertExhausted();
      }
    } finally {
      recorders.clear();
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
      resources.clear();
    }
  }

  /** A recorder of client events that must have been read to the end when the test ends. */
  Recorder<ClientEvent> events() {
    return recorder();
  }

  /** A recorder that must have been read to the end when the test ends. */
  <T> Recorder<T> recorder() {
    Recorder<T> recorder = new Recorder<>();
    recorders.add(recorder);
    return recorder;
  }

  /** Closes {@code resource} after the test. */
  <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Connects, and closes the client after the test. */
  ParleyClient connect(ParleyClient.Builder builder) {
    return track(builder.connect());
  }

  /** Waits until the server has handled an earlier emit of this client: the server runs a channel's events in order. */
  static void sync(ParleyClient client) {
    assertThat(client.emitWithAck("echo", "sync").block(WAIT).arg(0, String.class)).isEqualTo("sync");
  }

  /**
   * The threads of every client in this JVM: those named with the client's prefix, and those libraries name
   * themselves: Grizzly's selector threads, the JDK HttpClient's {@code HttpClient-N-SelectorManager}, and
   * Tyrus's {@code tyrus-N-thread-M} pools, which the client should not start at all. Every test closes its
   * clients, so none should be left between tests.
   */
  static List<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(ParleyClient.THREAD_NAME_PREFIX) || name.startsWith("HttpClient-")
            || name.startsWith("tyrus-") || name.contains("Grizzly"))
        .toList();
  }
}
