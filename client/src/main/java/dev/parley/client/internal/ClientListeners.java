package dev.parley.client.internal;

import dev.parley.client.ClientEvent;
import dev.parley.client.ClientEventHandler;
import dev.parley.error.ParleyException;
import dev.parley.protocol.DisconnectReason;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's event handlers and connection listeners of one client, those the builder was given
 * and those added later, and their calls: always on the client's event thread, one at a time, in the order
 * the client reported what happened; a handler or listener that throws is logged and does not stop the
 * others.
 *
 * <p>Thread-safe: handlers and listeners may be added and removed from any thread, handlers included.
 */
final class ClientListeners {
  private static final Logger log = LoggerFactory.getLogger(ClientListeners.class);

  private final ClientThreads threads;
  private final Map<String, List<ClientEventHandler>> handlers = new ConcurrentHashMap<>();
  private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<DisconnectReason>> disconnectListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ParleyException>> reconnectFailedListeners = new CopyOnWriteArrayList<>();

  ClientListeners(ClientConfig settings, ClientThreads threads) {
    this.threads = threads;
    settings.handlers().forEach((event, list) -> handlers.put(event, new CopyOnWriteArrayList<>(list)));
    connectListeners.addAll(settings.connectListeners());
    disconnectListeners.addAll(settings.disconnectListeners());
    reconnectFailedListeners.addAll(settings.reconnectFailedListeners());
  }

  void on(String event, ClientEventHandler handler) {
    ClientConfig.checkInboundEvent(event);
    Objects.requireNonNull(handler, "handler");
    handlers.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(handler);
  }

  void off(String event) {
    handlers.remove(Objects.requireNonNull(event, "event"));
  }

  void onConnect(Runnable listener) {
    connectListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void onDisconnect(Consumer<DisconnectReason> listener) {
    disconnectListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void onReconnectFailed(Consumer<ParleyException> listener) {
    reconnectFailedListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls the handlers of the event's name, as they are when the event thread gets to it. */
  void dispatch(ClientEvent event) {
    threads.onEvents(() -> {
      List<ClientEventHandler> list = handlers.get(event.name());
      if (list == null || list.isEmpty()) {
        log.debug("no handler for event {}; dropped", ClientConfig.quote(event.name()));
        return;
      }
      for (ClientEventHandler handler : list) {
        try {
          handler.handle(event);
        } catch (Exception e) {
          log.warn("handler of event {} failed", ClientConfig.quote(event.name()), e);
        }
      }
    }, "handler");
  }

  /** The client is connected (again). */
  void connected() {
    for (Runnable listener : connectListeners) {
      threads.onEvents(listener::run, "onConnect listener");
    }
  }

  /** The client lost its connection, for this reason. */
  void disconnected(DisconnectReason reason) {
    for (Consumer<DisconnectReason> listener : disconnectListeners) {
      threads.onEvents(() -> listener.accept(reason), "onDisconnect listener");
    }
  }

  /** The client stopped reconnecting, for this reason. */
  void reconnectFailed(ParleyException error) {
    for (Consumer<ParleyException> listener : reconnectFailedListeners) {
      threads.onEvents(() -> listener.accept(error), "onReconnectFailed listener");
    }
  }
}
