package dev.parley.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A lean Socket.IO v5 client of the namespace "/", whatever Engine.IO v4 transport carries its packets:
 * emit, emitWithAck, events handed over as raw JSON text, pings answered. {@link SioClient} carries the
 * packets over a WebSocket, {@link PollingSioClient} over HTTP long-polling. Public for the tests in
 * {@code dev.parley.bench.reliability}.
 */
public abstract class BenchClient {
  /** Completes once the server's CONNECT answer arrives; fails if it refuses or the transport fails first. */
  final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final Map<Integer, CompletableFuture<String>> acks = new ConcurrentHashMap<>();
  private final AtomicInteger nextAck = new AtomicInteger();
  private final BiConsumer<String, String> onEvent;
  volatile long connectNanos;

  BenchClient(BiConsumer<String, String> onEvent) {
    this.onEvent = onEvent;
  }

  /** Hands one Engine.IO packet (its text form) to the transport; called from any thread. */
  abstract void send(String packet);

  /** Drops the connection at once, with no goodbye (the server learns it from the transport). */
  public abstract void close();

  /** Sends the event {@code 42<jsonArray>}; over WebSocket it returns once the frame is handed to the socket. */
  public void emit(String jsonArray) {
    send("42" + jsonArray);
  }

  /** Sends {@code 42<id><jsonArray>}; the result completes with the ack's raw JSON array. */
  public CompletableFuture<String> emitWithAck(String jsonArray) {
    int id = nextAck.getAndIncrement();
    CompletableFuture<String> reply = new CompletableFuture<>();
    acks.put(id, reply);
    send("42" + id + jsonArray);
    return reply;
  }

  /** The time from the start of the connection to the server's CONNECT answer, in nanoseconds. */
  public long connectNanos() {
    return connectNanos;
  }

  /** {@code connected}, as {@code client} once it completes, with the handshake's time taken from {@code start}. */
  static <T extends BenchClient> CompletableFuture<T> whenConnected(T client, long start) {
    return client.connected.thenApply(v -> {
      client.connectNanos = System.nanoTime() - start;
      return client;
    });
  }

  /** Handles one Engine.IO packet from the server. */
  void receive(String packet) {
    if (packet.startsWith("42")) {
      int comma = packet.indexOf(',');
      int quote = packet.indexOf('"', 4);
      if (comma > 0 && quote > 0) {
        onEvent.accept(packet.substring(4, quote), packet.substring(2));
      }
    } else if (packet.startsWith("43")) {
      int bracket = packet.indexOf('[');
      CompletableFuture<String> reply = acks.remove(Integer.parseInt(packet.substring(2, bracket)));
      if (reply != null) {
        reply.complete(packet.substring(bracket));
      }
    } else if (packet.equals("2")) {
      send("3");
    } else if (packet.startsWith("0")) {
      send("40");
    } else if (packet.startsWith("40")) {
      connected.complete(null);
    } else if (packet.startsWith("44")) {
      connected.completeExceptionally(new IllegalStateException("connect refused: " + packet));
    }
  }
}
