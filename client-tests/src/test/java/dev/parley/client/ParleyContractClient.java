package dev.parley.client;

import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.Timeouts;
import dev.parley.test.TransportContractTest;
import dev.parley.test.TransportContractTest.ContractClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * A {@link ParleyClient} as a {@link ContractClient} of the transport contract, over either transport. It
 * subscribes to {@link TransportContractTest#SERVER_EVENTS} (the client has no catch-all), records them or
 * answers them with a responder, and never reconnects. It cannot stall: the suite skips the slow-consumer case.
 */
final class ParleyContractClient implements ContractClient {
  private final ParleyClient client;
  private final BlockingQueue<ReceivedEvent> events;
  private final Map<String, Function<List<JsonNode>, Object[]>> responders;
  private final CompletableFuture<DisconnectReason> disconnected;

  private ParleyContractClient(ParleyClient client, BlockingQueue<ReceivedEvent> events,
      Map<String, Function<List<JsonNode>, Object[]>> responders, CompletableFuture<DisconnectReason> disconnected) {
    this.client = client;
    this.events = events;
    this.responders = responders;
    this.disconnected = disconnected;
  }

  /** Connects a client over {@code transport} to {@code namespace} of the started {@code server}, on 127.0.0.1. */
  static ParleyContractClient connect(ClientTransport transport, ChatServer server, String namespace, JsonNode auth) {
    BlockingQueue<ReceivedEvent> events = new LinkedBlockingQueue<>();
    Map<String, Function<List<JsonNode>, Object[]>> responders = new ConcurrentHashMap<>();
    CompletableFuture<DisconnectReason> disconnected = new CompletableFuture<>();
    URI url = URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
    ParleyClient.Builder builder = ParleyClient.builder(url)
        .transport(transport)
        .namespace(namespace)
        .reconnect(Reconnect.off())
        .ackTimeout(Timeouts.EXPECTED)
        .connectTimeout(Timeouts.EXPECTED)
        .onDisconnect(disconnected::complete);
    if (!auth.isEmpty()) {
      // Over SSE there is no auth payload (ParleyClient refuses one); the contract only sends an empty one.
      builder.auth(auth);
    }
    for (String event : TransportContractTest.SERVER_EVENTS) {
      builder.on(event, e -> {
        Function<List<JsonNode>, Object[]> responder = responders.get(e.name());
        if (responder != null && e.wantsAck()) {
          e.ack(responder.apply(e.args()));
        } else {
          events.add(new ReceivedEvent(e.name(), e.args(), e.messageId(), null));
        }
      });
    }
    return new ParleyContractClient(builder.connect(), events, responders, disconnected);
  }

  @Override
  public String id() {
    String id = client.id();
    if (id == null) {
      throw new IllegalStateException("not connected");
    }
    return id;
  }

  @Override
  public void emit(String event, Object... args) {
    client.emit(event, args);
  }

  @Override
  public Mono<List<JsonNode>> emitWithAck(String event, Object... args) {
    return client.emitWithAck(event, args).map(ClientReply::args);
  }

  @Override
  public void respond(String event, Function<List<JsonNode>, Object[]> responder) {
    responders.put(event, responder);
  }

  @Override
  public @Nullable ReceivedEvent next(Duration timeout) {
    try {
      return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public DisconnectReason awaitDisconnect(Duration timeout) {
    try {
      return disconnected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("still connected after " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
