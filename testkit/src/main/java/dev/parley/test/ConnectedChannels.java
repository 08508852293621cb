package dev.parley.test;

import dev.parley.Channel;
import dev.parley.ConnectionHandler;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection handler that records every channel, so a test can reach the server side of a
 * {@link TestClient}. Register it after the application's own connection handlers; then
 * {@link #of(TestClient)} also means "its connection handlers have run".
 *
 * <pre>{@code
 * ConnectedChannels channels = new ConnectedChannels();
 * ChatServer server = ChatServer.builder().transport(transport).onConnection(app).onConnection(channels).start();
 * Channel serverSide = channels.of(transport.connect("/"));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ConnectedChannels implements ConnectionHandler {
  private final Map<String, CompletableFuture<Channel>> byId = new ConcurrentHashMap<>();

  @Override
  public void connected(Channel channel) {
    slot(channel.id()).complete(channel);
  }

  /**
   * The server's channel of {@code client}, waiting up to {@link Timeouts#EXPECTED} for its connection
   * handlers to run.
   *
   * @throws AssertionError if it does not connect in time
   */
  public Channel of(TestClient client) {
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
