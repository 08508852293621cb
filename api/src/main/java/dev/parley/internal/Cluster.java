package dev.parley.internal;

import dev.parley.error.ClusterException;
import dev.parley.error.LimitExceededException;
import dev.parley.internal.support.Ids;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.spi.BusMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * This node among the nodes sharing a store: which others are alive, and the requests it sends them and
 * answers. Everything travels over the store's bus, as {@link BusMessage}s of the kinds below.
 *
 * <p>Liveness: a node greets the others when it starts ({@value #HELLO}; each answers with a heartbeat, so it
 * learns of them within one trip over the bus), sends a heartbeat every
 * {@link dev.parley.ChatServerConfig#clusterHeartbeat()}, and says {@value #BYE} when it closes. Any message
 * from a node counts as hearing from it; one unheard for {@link dev.parley.ChatServerConfig#clusterNodeTimeout()}
 * is gone, and requests stop waiting for it.
 *
 * <p>Requests: a request goes to every node alive when it is sent (or to one), and completes once each has
 * answered or gone; after its timeout it fails naming the silent ones. Requests waiting at once are bounded
 * ({@value #MAX_PENDING}); each holds its answers until it completes.
 *
 * <p>Threading: messages arrive on the bus's thread (with the memory store, the sending node's own thread, inside
 * its publish): handling them never blocks; what runs application code goes to the handler executor.
 */
final class Cluster {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  static final String HELLO = "hello";
  static final String HEARTBEAT = "heartbeat";
  static final String BYE = "bye";
  static final String REPLY = "reply";
  // The data field naming the request a reply answers, and the one carrying a node's error.
  static final String REQUEST_ID = "request";
  static final String ERROR = "error";
  static final String INCARNATION = "inc";
  static final int MAX_PENDING = 10_000;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Answers one kind of request on this node: with the reply's data, or with an error. */
  interface Handler {
    Mono<ObjectNode> handle(BusMessage request);
  }

  /** Another node: its incarnation, and when it was last heard from. */
  private record Peer(String incarnation, long heardNanos) {
  }

  /** One node's answer to a request. */
  record Answer(String node, JsonNode data) {
  }

  /** What came of a request: the answers, the nodes that did not answer in time, those that answered an error. */
  record Outcome(List<Answer> answers, List<String> silent, Map<String, String> failed) {
    static final Outcome NONE = new Outcome(List.of(), List.of(), Map.of());

    boolean complete() {
      return silent.isEmpty() && failed.isEmpty();
    }
  }

  private final DefaultChatServer server;
  private final String self;
  private final long nodeTimeoutNanos;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  // This node's life: drawn at construction, in every message of the Cluster's own, so that a node that restarts
  // with the same id is told apart from the one before.
  private final String incarnation = Ids.next();
  // The other nodes: their incarnation and the System.nanoTime() they were last heard from.
  private final Map<String, Peer> nodes = new ConcurrentHashMap<>();
  // Orders every change of which nodes there are with the callbacks it makes (queued on `changes` under it).
  private final Object membership = new Object();
  // Incarnations that said goodbye (bounded): what they sent before it does not bring them back.
  private final Set<String> departed = Collections.newSetFromMap(new LinkedHashMap<String, Boolean>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 1024;
    }
  });
  private volatile Consumer<ObjectNode> heartbeatData = data -> { };
  private volatile BiConsumer<String, JsonNode> heartbeatHeard = (node, data) -> { };
  // Membership callbacks, in the order decided; requests from other nodes, in the order they came. Both run off
  // the bus's thread (with the memory store, the sending node's), on the handler executor; made at start.
  private volatile @Nullable SerialExecutor changes;
  private volatile @Nullable SerialExecutor incoming;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private volatile Consumer<String> joined = node -> { };
  private volatile Consumer<String> left = node -> { };
  private volatile @Nullable Disposable heartbeat;
  private volatile boolean running;

  Cluster(DefaultChatServer server) {
    this.server = server;
    this.self = server.config().nodeId();
    this.nodeTimeoutNanos = server.config().clusterNodeTimeout().toNanos();
  }

  String self() {
    return self;
  }

  /** Registers what answers requests of {@code kind}; at construction, before start. */
  void handle(String kind, Handler handler) {
    handlers.put(kind, handler);
  }

  /**
   * Hears of nodes as this one learns of them ({@code joined}) and as they go ({@code gone}); at construction,
   * before start. Called on the bus's or the timer's thread.
   */
  void onNodes(Consumer<String> joined, Consumer<String> gone) {
    this.joined = joined;
    this.left = gone;
  }

  /**
   * Adds to every heartbeat ({@code fill}) and hears the other nodes' ({@code heard}, in order with their
   * requests); at construction, before start.
   */
  void onHeartbeat(Consumer<ObjectNode> fill, BiConsumer<String, JsonNode> heard) {
    this.heartbeatData = fill;
    this.heartbeatHeard = heard;
  }

  /** Greets the other nodes and starts the heartbeat. */
  void start(Scheduler timers) {
    changes = new SerialExecutor(server.handlerExecutor());
    incoming = new SerialExecutor(server.handlerExecutor());
    running = true;
    long every = server.config().clusterHeartbeat().toMillis();
    heartbeat = timers.schedulePeriodically(this::beat, every, every, TimeUnit.MILLISECONDS);
    send(own(HELLO, null));
  }

  /**
   * Says goodbye, stops the heartbeat, and fails the requests still waiting: last, once this node's channels have
   * gone (their leaves sent), so that nothing it sends afterwards brings it back in the others' view.
   */
  void stop() {
    running = false;
    Disposable beating = heartbeat;
    if (beating != null) {
      beating.dispose();
    }
    send(own(BYE, null));
    for (Pending request : List.copyOf(pending.values())) {
      request.fail("the server closed");
    }
    nodes.clear();
  }

  // A message of the Cluster's own: its kind, for one node or all, carrying this node's incarnation.
  private BusMessage own(String kind, @Nullable String target) {
    ObjectNode data = JSON.objectNode().put(INCARNATION, incarnation);
    if (kind.equals(HEARTBEAT)) {
      heartbeatData.accept(data);
    }
    return new BusMessage(self, target, kind, "/", Set.of(), Set.of(), "", List.of(), data);
  }

  /** Stamps a message's data with this node's incarnation (a request, a reply, a batch of presence changes). */
  ObjectNode stamped(@Nullable JsonNode data) {
    ObjectNode out = data instanceof ObjectNode given ? given.deepCopy() : JSON.objectNode();
    return out.put(INCARNATION, incarnation);
  }

  /** The nodes alive as far as this one knows, itself included. */
  Set<String> nodes() {
    Set<String> alive = new HashSet<>();
    alive.add(self);
    if (running) {
      long now = System.nanoTime();
      nodes.forEach((node, peer) -> {
        if (now - peer.heardNanos() < nodeTimeoutNanos) {
          alive.add(node);
        }
      });
    }
    return Set.copyOf(alive);
  }

  private void beat() {
    send(own(HEARTBEAT, null));
    long now = System.nanoTime();
    for (Map.Entry<String, Peer> node : nodes.entrySet()) {
      if (now - node.getValue().heardNanos() >= nodeTimeoutNanos) {
        synchronized (membership) {
          if (nodes.remove(node.getKey(), node.getValue())) {
            log.warn("node {} not heard from for {} ms: counted as gone", node.getKey(),
                TimeUnit.NANOSECONDS.toMillis(now - node.getValue().heardNanos()));
            gone(node.getKey());
          }
        }
      }
    }
  }

  // Under the membership lock: requests stop waiting for it now, the callback runs in its turn.
  private void gone(String node) {
    for (Pending request : pending.values()) {
      request.gone(node);
    }
    queueChange(() -> left.accept(node), node);
  }

  private void queueChange(Runnable change, String node) {
    SerialExecutor executor = changes;
    if (executor != null) {
      executor.execute(() -> {
        try {
          change.run();
        } catch (RuntimeException e) {
          log.warn("a change of node {} failed", node, e);
        }
      });
    }
  }

  /**
   * Sends a request to the other nodes alive now ({@code message.target()} null), or to one, and gathers their
   * answers; errors with a {@link ClusterException} if a node did not answer or answered an error. With no node
   * to ask, completes at once with none.
   */
  Mono<List<Answer>> request(String operation, BusMessage message, Duration timeout) {
    return gather(message, timeout).flatMap(outcome -> outcome.complete() ? Mono.just(outcome.answers())
        : Mono.error(new ClusterException(operation, timeout, outcome.silent(), outcome.failed())));
  }

  /** As {@link #request}, but what came, whatever came: the answers beside the silent and failed nodes. */
  Mono<Outcome> gather(BusMessage message, Duration timeout) {
    return gather(message, timeout, null);
  }

  /**
   * As {@link #gather(BusMessage, Duration)}, done at once when an answer's data meets {@code decisive}: the
   * nodes not heard from by then are not silent, only not waited for.
   */
  Mono<Outcome> gather(BusMessage message, Duration timeout, @Nullable Predicate<JsonNode> decisive) {
    List<String> asked = new ArrayList<>();
    String target = message.target();
    if (target != null) {
      if (!nodes().contains(target)) {
        return Mono.just(new Outcome(List.of(), List.of(), Map.of(target, "not among the nodes alive")));
      }
      asked.add(target);
    } else {
      for (String node : nodes()) {
        if (!node.equals(self)) {
          asked.add(node);
        }
      }
    }
    if (asked.isEmpty()) {
      return Mono.just(Outcome.NONE);
    }
    if (pending.size() >= MAX_PENDING) {
      return Mono.error(new LimitExceededException("requests waiting for other nodes", MAX_PENDING));
    }
    String id = self + ":" + incarnation + ":" + requests.incrementAndGet();
    ObjectNode data = stamped(message.data());
    data.put(REQUEST_ID, id);
    Pending request = new Pending(id, asked, decisive);
    pending.put(id, request);
    request.timer = server.scheduler().schedule(request::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    server.store().bus().publish(new BusMessage(self, target, message.kind(), message.namespace(),
            message.rooms(), message.except(), message.event(), message.args(), data))
        .subscribe(v -> { }, e -> request.fail("the bus refused it: " + e.getMessage()));
    return request.sink.asMono().publishOn(server.handlerScheduler());
  }

  /** A message from the bus: a node's greeting, heartbeat or goodbye, a request, a reply, or an emit. */
  void received(BusMessage message) {
    String origin = message.origin();
    if (origin.equals(self) || !running) {
      return;
    }
    JsonNode data = message.data();
    String from = data == null ? null : data.path(INCARNATION).asString(null);
    if (message.kind().equals(BYE)) {
      if (from != null) {
        bye(origin, from);
      }
      return;
    }
    if (from != null) {
      heard(origin, from);
    }
    String target = message.target();
    if (target != null && !target.equals(self)) {
      return;
    }
    switch (message.kind()) {
      case HELLO -> send(own(HEARTBEAT, origin));
      case HEARTBEAT -> {
        if (data != null) {
          inTurn(() -> heartbeatHeard.accept(origin, data));
        }
      }
      case REPLY -> {
        Pending request = data == null ? null : pending.get(data.path(REQUEST_ID).asString(""));
        if (request != null) {
          request.answered(origin, data);
        }
      }
      case BusMessage.EMIT -> { }
      default -> inTurn(() -> answer(message));
    }
  }

  // Requests and heartbeats, in the order they came, off the bus's thread.
  private void inTurn(Runnable task) {
    SerialExecutor executor = incoming;
    if (executor != null) {
      executor.execute(task);
    }
  }

  private void heard(String node, String from) {
    long now = System.nanoTime();
    Peer known = nodes.get(node);
    if (known != null && known.incarnation().equals(from)) {
      nodes.replace(node, known, new Peer(from, now));
      return;
    }
    synchronized (membership) {
      if (departed.contains(node + '/' + from)) {
        return;
      }
      Peer before = nodes.put(node, new Peer(from, now));
      if (before != null && before.incarnation().equals(from)) {
        return;
      }
      if (before != null) {
        log.info("node {} restarted", node);
        gone(node);
      } else {
        log.info("node {} joined", node);
      }
      queueChange(() -> joined.accept(node), node);
    }
  }

  private void bye(String node, String from) {
    synchronized (membership) {
      departed.add(node + '/' + from);
      Peer known = nodes.get(node);
      if (known != null && known.incarnation().equals(from) && nodes.remove(node, known)) {
        log.info("node {} left", node);
        gone(node);
      }
    }
  }

  private void answer(BusMessage request) {
    JsonNode data = request.data();
    String id = data == null ? null : data.path(REQUEST_ID).asString(null);
    Handler handler = handlers.get(request.kind());
    if (handler == null) {
      log.debug("node {} sent a {} this node does not know; ignored", request.origin(), request.kind());
      if (id != null) {
        reply(request, id, error("this node does not know \"" + request.kind() + "\" requests"));
      }
      return;
    }
    Mono<ObjectNode> answer;
    try {
      answer = handler.handle(request);
    } catch (RuntimeException e) {
      answer = Mono.error(e);
    }
    answer.subscribe(
        result -> {
          if (id != null) {
            reply(request, id, result);
          }
        },
        e -> {
          log.warn("{} from node {} failed here", request.kind(), request.origin(), e);
          if (id != null) {
            reply(request, id, error(String.valueOf(e.getMessage())));
          }
        });
  }

  private static ObjectNode error(String message) {
    return JSON.objectNode().put(ERROR, message);
  }

  private void reply(BusMessage request, String id, ObjectNode result) {
    result.put(REQUEST_ID, id).put(INCARNATION, incarnation);
    server.store().bus().publish(new BusMessage(self, request.origin(), REPLY, request.namespace(), Set.of(),
            Set.of(), "", List.of(), result))
        .subscribe(v -> { }, e -> {
          log.warn("the answer to {} from node {} could not be sent", request.kind(), request.origin(), e);
          if (!result.has(ERROR)) {
            // Too large for the bus, say: the asking node learns why rather than waiting out its timeout.
            reply(request, id, error("its answer could not be sent: " + e.getMessage()));
          }
        });
  }

  private void send(BusMessage message) {
    try {
      server.store().bus().publish(message)
          .subscribe(v -> { }, e -> log.debug("{} to other nodes not sent", message.kind(), e));
    } catch (RuntimeException e) {
      log.debug("{} to other nodes not sent", message.kind(), e);
    }
  }

  /** A request waiting for answers. */
  private final class Pending {
    final String id;
    // The nodes still to answer, in the order asked; answers and errors in the order they came.
    final List<String> waiting;
    final List<Answer> answers = new ArrayList<>();
    final Map<String, String> failures = new LinkedHashMap<>();
    final Sinks.One<Outcome> sink = Sinks.one();
    volatile @Nullable Disposable timer;

    final @Nullable Predicate<JsonNode> decisive;

    Pending(String id, List<String> asked, @Nullable Predicate<JsonNode> decisive) {
      this.id = id;
      this.decisive = decisive;
      this.waiting = new ArrayList<>(asked);
    }

    void answered(String node, JsonNode data) {
      synchronized (this) {
        if (!waiting.remove(node)) {
          return;
        }
        if (data.has(ERROR)) {
          failures.put(node, data.path(ERROR).asString(""));
        } else {
          answers.add(new Answer(node, data));
          if (decisive != null && decisive.test(data)) {
            waiting.clear();
          }
        }
      }
      finishIfDone();
    }

    void gone(String node) {
      synchronized (this) {
        if (!waiting.remove(node)) {
          return;
        }
      }
      finishIfDone();
    }

    private void finishIfDone() {
      Outcome outcome;
      synchronized (this) {
        if (!waiting.isEmpty() || !pending.remove(id, this)) {
          return;
        }
        outcome = new Outcome(List.copyOf(answers), List.of(), Map.copyOf(failures));
      }
      cancelTimer();
      sink.tryEmitValue(outcome);
    }

    void timedOut() {
      Outcome outcome;
      synchronized (this) {
        if (!pending.remove(id, this)) {
          return;
        }
        outcome = new Outcome(List.copyOf(answers), List.copyOf(waiting), Map.copyOf(failures));
      }
      sink.tryEmitValue(outcome);
    }

    void fail(String why) {
      Outcome outcome;
      synchronized (this) {
        if (!pending.remove(id, this)) {
          return;
        }
        Map<String, String> failed = new LinkedHashMap<>(failures);
        failed.put(self, why);
        outcome = new Outcome(List.copyOf(answers), List.copyOf(waiting), failed);
      }
      cancelTimer();
      sink.tryEmitValue(outcome);
    }

    private void cancelTimer() {
      Disposable scheduled = timer;
      if (scheduled != null) {
        scheduled.dispose();
      }
    }
  }
}
