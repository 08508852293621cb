package dev.parley.bench.reliability;

import dev.parley.client.ClientReply;
import dev.parley.client.ParleyClient;
import dev.parley.client.Reconnect;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Clients that post as fast as their acks come back: each a {@link ParleyClient} over WebSocket on its own
 * thread, sending {@code say({"from": name, "n": n})} with an ack and waiting for the answer before the next
 * one. Every post has a unique key, {@code name:n}. An ack with an id is an acknowledged post; one with an
 * error is a failed one; no answer (timeout, connection lost) is unanswered. A client whose connection is
 * lost fails over to the next node in the list (its reconnect is off: where to go is the test's choice).
 */
final class Posters implements AutoCloseable {
  private static final int MAX_CONNECT_ATTEMPTS = 100;

  private final List<URI> nodes;
  private final Duration ackTimeout;
  private final ExecutorService threads;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger unanswered = new AtomicInteger();
  private final AtomicInteger failovers = new AtomicInteger();
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger errorCount = new AtomicInteger();
  private final List<Throwable> crashes = new CopyOnWriteArrayList<>();

  private Posters(int count, List<URI> nodes, Duration ackTimeout) {
    this.nodes = List.copyOf(nodes);
    this.ackTimeout = ackTimeout;
    this.threads = Executors.newFixedThreadPool(count, r -> {
      Thread thread = new Thread(r, "poster");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts {@code count} posters on the first node. */
  static Posters start(int count, List<URI> nodes, Duration ackTimeout) {
    Posters posters = new Posters(count, nodes, ackTimeout);
    for (int i = 0; i < count; i++) {
      String name = "p" + i;
      posters.threads.execute(() -> posters.run(name));
    }
    return posters;
  }

  private void run(String name) {
    ParleyClient client = null;
    int node = 0;
    int n = 0;
    try {
      while (!stop.get()) {
        if (client == null || !client.isConnected()) {
          if (client != null) {
            client.close();
            node = Math.min(node + 1, nodes.size() - 1);
            failovers.incrementAndGet();
          }
          client = connect(nodes.get(node));
          if (client == null) {
            return;
          }
        }
        Mono<ClientReply> answer;
        try {
          answer = client.emitWithAck(ackTimeout, "say", Map.of("from", name, "n", n));
        } catch (IllegalStateException notConnected) {
          continue;
        }
        String key = name + ":" + n++;
        sent.incrementAndGet();
        ClientReply reply;
        try {
          reply = answer.block(Timeouts.STEP);
        } catch (RuntimeException noAnswer) {
          unanswered.incrementAndGet();
          continue;
        }
        JsonNode ack = reply == null ? null : reply.arg(0);
        if (ack != null && ack.hasNonNull("id")) {
          acked.put(key, ack.get("id").asString());
        } else {
          if (errorCount.incrementAndGet() <= 20) {
            errors.add(ack == null ? "empty ack" : ack.path("error").asString("?"));
          }
        }
      }
    } catch (RuntimeException e) {
      crashes.add(e);
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  /** Connects, trying again 100 ms apart while the node refuses; null once stopped or out of attempts. */
  private @Nullable ParleyClient connect(URI node) {
    for (int attempt = 1; attempt <= MAX_CONNECT_ATTEMPTS && !stop.get(); attempt++) {
      try {
        return ParleyClient.builder(node).reconnect(Reconnect.off()).connectTimeout(Duration.ofSeconds(5)).connect();
      } catch (RuntimeException e) {
        if (attempt == MAX_CONNECT_ATTEMPTS) {
          crashes.add(e);
        }
        // A client's pause before trying again, not a wait for the test's sake.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    return null;
  }

  /** Posts sent (whatever became of them). */
  int sent() {
    return sent.get();
  }

  /** Acknowledged posts: key to message id. */
  Map<String, String> acked() {
    return Map.copyOf(acked);
  }

  int ackedCount() {
    return acked.size();
  }

  /** Posts answered with an error. */
  int errorCount() {
    return errorCount.get();
  }

  /** The first 20 errors the app acked. */
  List<String> errors() {
    return List.copyOf(errors);
  }

  /** Posts that got no answer: the ack timed out or the connection was lost first. */
  int unanswered() {
    return unanswered.get();
  }

  /** How many times a poster moved to the next node. */
  int failovers() {
    return failovers.get();
  }

  /** Failures of the posters themselves (should be none). */
  List<Throwable> crashes() {
    return List.copyOf(crashes);
  }

  /** Stops posting; each poster finishes the post it is waiting on. */
  @Override
  public void close() {
    stop.set(true);
    threads.shutdown();
    try {
      if (!threads.awaitTermination(ackTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("posters did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
