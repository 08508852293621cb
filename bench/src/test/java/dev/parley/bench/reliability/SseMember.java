package dev.parley.bench.reliability;

import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.testsupport.EventStreamSubscriber;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A member of {@link ReliabilityNode#ROOM} that reads a node's {@code text/event-stream}
 * ({@code GET /sse/?room=r}) as a browser's {@code EventSource} does, and keeps every posted message it
 * gets: its id ({@code id:}) and its payload's key. When its stream ends (the node closed it, or the
 * connection broke) it fails over to the next node in its list and resumes with {@code Last-Event-ID}: the
 * id of the last message it got. A stream that does not open is tried again, up to 100 times, 200 ms apart.
 * Thread-safe.
 */
final class SseMember implements AutoCloseable {
  /** A posted message as the member got it. */
  record Received(String id, String key) {
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_ATTEMPTS = 100;

  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final List<URI> nodes;
  // Guarded by itself.
  private final List<Received> received = new ArrayList<>();
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final AtomicInteger streams = new AtomicInteger();
  private final List<Integer> receivedAtStreamEnds = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private int node;
  private int attempts;
  private @Nullable Stream current;
  private boolean closed;

  private SseMember(HttpClient http, ScheduledExecutorService timer, List<URI> nodes) {
    this.http = http;
    this.timer = timer;
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Opens a stream to the first node and waits until the node has answered it (its {@code parley:session}
   * event).
   *
   * @param nodes the nodes to use, in failover order
   */
  static SseMember join(HttpClient http, ScheduledExecutorService timer, List<URI> nodes) throws Exception {
    SseMember member = new SseMember(http, timer, nodes);
    member.open().get(20, TimeUnit.SECONDS);
    return member;
  }

  /** The posted messages received, in arrival order. */
  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Whether a message with this payload key has arrived. */
  boolean hasReceived(String key) {
    return keys.contains(key);
  }

  /** How many streams have opened: 1 plus the resumes. */
  int streams() {
    return streams.get();
  }

  /** How many messages the member had when each of its open streams ended, in order. */
  List<Integer> receivedAtStreamEnds() {
    return List.copyOf(receivedAtStreamEnds);
  }

  /** Anything the member could not make sense of, or gave up on. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  private @Nullable String lastId() {
    synchronized (received) {
      return received.isEmpty() ? null : received.get(received.size() - 1).id();
    }
  }

  private CompletableFuture<Void> open() {
    synchronized (lock) {
      Stream stream = new Stream();
      current = stream;
      HttpRequest.Builder request = HttpRequest.newBuilder(nodes.get(node).resolve("/sse/?room=" + ReliabilityNode.ROOM))
          .header("Accept", "text/event-stream");
      String resumeAfter = lastId();
      if (resumeAfter != null) {
        request.header("Last-Event-ID", resumeAfter);
      }
      http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(stream)).whenComplete(
          (response, error) -> {
            if (error != null) {
              stream.ended(error);
            } else if (response.statusCode() != 200) {
              stream.ended(new IllegalStateException("status " + response.statusCode()));
            }
          });
      return stream.opened;
    }
  }

  /** After a stream ended: the next node if it had opened (the node went away), else the same one again. */
  private void ended(Stream stream, boolean wasOpen) {
    synchronized (lock) {
      if (closed || stream != current) {
        return;
      }
      current = null;
      if (wasOpen) {
        attempts = 0;
        node = Math.min(node + 1, nodes.size() - 1);
      }
      if (++attempts > MAX_ATTEMPTS) {
        problems.add("gave up after " + MAX_ATTEMPTS + " attempts to open a stream on " + nodes.get(node));
        return;
      }
      timer.schedule(() -> {
        synchronized (lock) {
          if (!closed && current == null) {
            open();
          }
        }
      }, wasOpen ? 0 : 200, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    Stream stream;
    synchronized (lock) {
      closed = true;
      stream = current;
      current = null;
    }
    if (stream != null) {
      stream.cancel();
    }
  }

  /** One stream, an event per dispatched block. */
  private final class Stream extends EventStreamSubscriber {
    final CompletableFuture<Void> opened = new CompletableFuture<>();
    private final AtomicInteger ends = new AtomicInteger();

    Stream() {
      // Last-Event-ID goes in the request; the parser's own id buffer does not matter here.
      super(null);
    }

    @Override
    protected void event(EventStreamParser.Event event) {
      String messageId = event.id();
      String text = event.data();
      if ("parley:session".equals(event.type())) {
        streams.incrementAndGet();
        opened.complete(null);
      } else if (ReliabilityNode.EVENT.equals(event.type())) {
        JsonNode payload = JSON.readTree(text);
        String key = payload.path("from").asString("?") + ":" + payload.path("n").asLong(-1);
        if (messageId == null) {
          problems.add("message without an id: " + text);
        } else {
          synchronized (received) {
            received.add(new Received(messageId, key));
          }
          keys.add(key);
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      ended(error);
    }

    @Override
    public void onComplete() {
      ended(null);
    }

    void ended(@Nullable Throwable error) {
      if (ends.getAndIncrement() > 0) {
        return;
      }
      boolean wasOpen = opened.isDone() && !opened.isCompletedExceptionally();
      if (wasOpen) {
        synchronized (received) {
          receivedAtStreamEnds.add(received.size());
        }
      }
      opened.completeExceptionally(error != null ? error : new IllegalStateException("the stream ended"));
      SseMember.this.ended(this, wasOpen);
    }
  }
}
