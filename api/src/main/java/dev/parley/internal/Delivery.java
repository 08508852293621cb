package dev.parley.internal;

import dev.parley.Message;
import dev.parley.internal.support.Settling;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Post;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * The server's traffic through the store: posts out to the store and back from its feed to the namespaces,
 * emits out on the bus and in from other nodes. Counts the posts in flight, so that a closing server can
 * wait for them ({@link Settling} is told when the count reaches zero).
 *
 * <p>Threading: every method may be called from any thread; the feed and the bus call in on theirs.
 */
final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  private final Map<String, DefaultNamespace> namespaces;
  private final Components components;
  private final Settling settling;
  private final String nodeId;
  private final Observers observers;
  private final AtomicInteger postsInFlight = new AtomicInteger();

  Delivery(Map<String, DefaultNamespace> namespaces, Components components, Settling settling, String nodeId,
           Observers observers) {
    this.namespaces = namespaces;
    this.components = components;
    this.settling = settling;
    this.nodeId = nodeId;
    this.observers = observers;
  }

  /**
   * Appends a post to the store; the stored message comes back on the feed to every node.
   *
   * @return the stored message, on a handler thread; cached, and subscribed here so the post is made even
   *     if the caller never subscribes
   */
  Mono<Message> post(Post post) {
    postsInFlight.incrementAndGet();
    long start = System.nanoTime();
    Mono<Message> result = components.store().append(post)
        .doFinally(signal -> {
          observers.storeAppend(System.nanoTime() - start, signal == SignalType.ON_COMPLETE);
          if (postsInFlight.decrementAndGet() == 0) {
            settling.changed();
          }
        })
        .publishOn(components.handlerScheduler())
        .cache();
    result.subscribe(m -> { }, e -> log.debug("post to {} failed", Names.quote(post.room()), e));
    return result;
  }

  /** Sends an emit to the other nodes; cached, and subscribed here so it is sent either way. */
  Mono<Void> publish(BusMessage message) {
    Mono<Void> result = components.store().bus().publish(message).cache();
    result.subscribe(v -> { }, e -> log.warn("emit to other nodes failed", e));
    return result;
  }

  int postsInFlight() {
    return postsInFlight.get();
  }

  // A failure while delivering one message must not cancel the feed: later posts would never arrive.
  void onMessage(Message message) {
    DefaultNamespace namespace = namespaces.get(message.namespace());
    if (namespace != null) {
      try {
        namespace.onMessage(message);
      } catch (RuntimeException e) {
        log.error("delivering message {} of {} failed", message.id(), Names.quote(message.room()), e);
      }
    }
  }

  /** Delivers an emit from another node to this node's channels; this node's own come back and are skipped. */
  void onBus(BusMessage message) {
    if (message.origin().equals(nodeId)) {
      return;
    }
    DefaultNamespace namespace = namespaces.get(message.namespace());
    if (namespace != null) {
      try {
        boolean droppable = message.data() != null && message.data().path(DefaultBroadcast.DROPPABLE).asBoolean(false);
        namespace.deliverLocal(message.rooms(), message.except(), new Outgoing(
            new Packet.Event(message.namespace(), message.event(), message.args(), null, null,
                namespace.recoveryEnabled())), droppable);
      } catch (RuntimeException e) {
        log.error("delivering an emit from node {} failed", message.origin(), e);
      }
    }
  }
}
