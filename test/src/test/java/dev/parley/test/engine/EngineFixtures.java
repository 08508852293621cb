package dev.parley.test.engine;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ConnectionHandler;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The shared set-up of the engine tests: a server on the in-process transport, and its channels. */
final class EngineFixtures {

  private EngineFixtures() {
  }

  /** A builder for a server that clients reach through {@code transport}, on its own memory store. */
  static ChatServer.Builder serverOn(InProcessTransport transport) {
    return ChatServer.builder().transport(transport).store(new MemoryStore());
  }

  /**
   * A connection handler that records each channel, so a test can get the server side of a
   * {@link TestClient}. Registered last, it runs after the application's connection handlers.
   */
  static final class ConnectedChannels implements ConnectionHandler {
    private final Map<String, CompletableFuture<Channel>> byId = new ConcurrentHashMap<>();

    @Override
    public void connected(Channel channel) {
      slot(channel.id()).complete(channel);
    }

    /** The server's channel of {@code client}, waiting (bounded) for its connection handlers to run. */
    Channel of(TestClient client) {
      try {
        return slot(client.id()).get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("no channel " + client.id() + " connected within " + Timeouts.EXPECTED);
      } catch (ExecutionException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private CompletableFuture<Channel> slot(String id) {
      return byId.computeIfAbsent(id, k -> new CompletableFuture<>());
    }
  }
}
