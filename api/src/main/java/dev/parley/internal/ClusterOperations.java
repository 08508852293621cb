package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.BroadcastAckException;
import dev.parley.Reply;
import dev.parley.RemoteChannel;
import dev.parley.error.ClusterException;
import dev.parley.protocol.Checks;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.spi.BusMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a broadcast does to the channels it selects on every node ({@code join}, {@code leave},
 * {@code disconnect}, {@code fetchChannels}), and server-side events: each is done here for this node's
 * channels and sent to the others through the {@link Cluster}, which answers theirs with the same code.
 */
final class ClusterOperations {
  private static final Logger log = LoggerFactory.getLogger(ClusterOperations.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  static final String JOIN = "join";
  static final String LEAVE = "leave";
  static final String DISCONNECT = "disconnect";
  static final String FETCH = "fetch";
  static final String SERVER_EVENT = "server-event";
  static final String EMIT_ACK = "emit-ack";
  static final String RELAY = "relay";
  private static final String TRANSPORT = "transport";
  private static final String REQUEST = "payload";
  private static final String ANSWER = "answer";
  private static final String REPLIES = "replies";
  private static final String FROM = "from";
  private static final String MISSING = "missing";
  private static final String TIMEOUT = "timeout";
  private static final String ROOM = "room";
  private static final String COUNT = "count";
  private static final String CHANNELS = "channels";
  private static final String ACK = "ack";
  private static final String ARGS = "args";
  private static final String NONE = "none";

  private final DefaultChatServer server;
  private final Cluster cluster;
  private final Map<String, Function<JsonNode, Mono<JsonNode>>> relays = new ConcurrentHashMap<>();

  ClusterOperations(DefaultChatServer server, Cluster cluster) {
    this.server = server;
    this.cluster = cluster;
    cluster.handle(JOIN, request -> here(request, namespace -> joinHere(namespace, request.rooms(),
        request.except(), roomOf(request))));
    cluster.handle(LEAVE, request -> here(request, namespace -> leaveHere(namespace, request.rooms(),
        request.except(), roomOf(request))));
    cluster.handle(DISCONNECT, request -> here(request, namespace -> disconnectHere(namespace, request.rooms(),
        request.except())));
    cluster.handle(FETCH, request -> here(request, namespace -> Mono.fromCallable(() -> {
      ArrayNode channels = JSON.arrayNode();
      fetchHere(namespace, request.rooms(), request.except()).forEach(channel ->
          channels.add(DefaultRemoteChannel.json(channel)));
      return JSON.objectNode().set(CHANNELS, channels);
    })));
    cluster.handle(SERVER_EVENT, this::serverEventHere);
    cluster.handle(RELAY, this::relayHere);
    cluster.handle(EMIT_ACK, request -> here(request, namespace -> {
      Duration timeout = Duration.ofMillis(Math.max(1, request.data() == null ? 0
          : request.data().path(TIMEOUT).asLong(0)));
      return acksHere(namespace.select(request.rooms(), request.except()), request.event(), request.args(), timeout)
          .map(Acks::json);
    }));
  }

  private static String roomOf(BusMessage request) {
    return Names.room(request.data() == null ? "" : request.data().path(ROOM).asString(""));
  }

  // A request for a namespace this node has never had selects no channel here.
  private Mono<ObjectNode> here(BusMessage request, Function<DefaultNamespace, Mono<ObjectNode>> action) {
    DefaultNamespace namespace = server.existingNamespace(request.namespace());
    return namespace == null ? Mono.just(JSON.objectNode().put(COUNT, 0)) : action.apply(namespace);
  }

  // ---- join, leave, disconnect ----

  Mono<Void> join(DefaultBroadcast broadcast, String room) {
    return everywhere(broadcast, JOIN, "join " + Names.quote(room), JSON.objectNode().put(ROOM, room),
        namespace -> joinHere(namespace, broadcast.rooms(), broadcast.except(), room));
  }

  Mono<Void> leave(DefaultBroadcast broadcast, String room) {
    return everywhere(broadcast, LEAVE, "leave " + Names.quote(room), JSON.objectNode().put(ROOM, room),
        namespace -> leaveHere(namespace, broadcast.rooms(), broadcast.except(), room));
  }

  Mono<Void> disconnect(DefaultBroadcast broadcast) {
    return everywhere(broadcast, DISCONNECT, "disconnect", JSON.objectNode(),
        namespace -> disconnectHere(namespace, broadcast.rooms(), broadcast.except()));
  }

  /** Does it here (now, before this returns) and asks the other nodes; done when all are. */
  private Mono<Void> everywhere(DefaultBroadcast broadcast, String kind, String operation, ObjectNode data,
                                Function<DefaultNamespace, Mono<ObjectNode>> here) {
    server.checkOpen();
    DefaultNamespace namespace = broadcast.namespace();
    Mono<ObjectNode> local = broadcast.includesThisNode() ? here.apply(namespace) : Mono.empty();
    Mono<List<Cluster.Answer>> others = askOthers(broadcast, kind, operation, data);
    return Mono.when(local, others);
  }

  private Mono<List<Cluster.Answer>> askOthers(DefaultBroadcast broadcast, String kind, String operation,
                                               ObjectNode data) {
    if (!broadcast.includesOtherNodes()) {
      return Mono.just(List.of());
    }
    DefaultNamespace namespace = broadcast.namespace();
    return cluster.request(operation + " in " + namespace.name(), new BusMessage(cluster.self(), broadcast.node(),
        kind, namespace.name(), broadcast.rooms(), broadcast.except(), "", List.of(), data), broadcast.timeout());
  }

  private static Mono<ObjectNode> joinHere(DefaultNamespace namespace, Set<String> rooms, Set<String> except,
                                           String room) {
    return each(namespace.select(rooms, except), channel -> channel.join(room));
  }

  private static Mono<ObjectNode> leaveHere(DefaultNamespace namespace, Set<String> rooms, Set<String> except,
                                            String room) {
    return each(namespace.select(rooms, except), channel -> channel.leave(room));
  }

  private static Mono<ObjectNode> disconnectHere(DefaultNamespace namespace, Set<String> rooms, Set<String> except) {
    return each(namespace.select(rooms, except), channel -> {
      channel.disconnect();
      return Mono.empty();
    });
  }

  // Started for every channel at once (each is eager); one channel's failure (at its room limit, gone) is
  // that channel's alone.
  private static Mono<ObjectNode> each(Collection<DefaultChannel> channels,
                                       Function<DefaultChannel, Mono<Void>> action) {
    List<Mono<Void>> started = new ArrayList<>(channels.size());
    for (DefaultChannel channel : channels) {
      Mono<Void> one;
      try {
        one = action.apply(channel);
      } catch (RuntimeException e) {
        one = Mono.error(e);
      }
      started.add(one.onErrorResume(e -> {
        log.debug("{} left out: {}", channel, e.toString());
        return Mono.empty();
      }));
    }
    return Mono.when(started).thenReturn(JSON.objectNode().put(COUNT, channels.size()));
  }

  // ---- a broadcast with acks ----

  /** The acks of one node's clients: the replies, and the clients that did not answer. */
  private record Acks(List<Reply> replies, int missing) {
    ObjectNode json() {
      ObjectNode out = JSON.objectNode().put(MISSING, missing);
      ArrayNode array = out.putArray(REPLIES);
      for (Reply reply : replies) {
        ObjectNode one = array.addObject().put(FROM, reply.from());
        ArrayNode args = one.putArray(ARGS);
        reply.args().forEach(args::add);
      }
      return out;
    }
  }

  Mono<List<Reply>> emitWithAck(DefaultBroadcast broadcast, String event, Object[] args) {
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(server.mapper(), event, args);
    server.checkOpen();
    DefaultNamespace namespace = broadcast.namespace();
    Duration timeout = broadcast.ackTimeout();
    Mono<Acks> here = broadcast.includesThisNode()
        ? acksHere(namespace.select(broadcast.rooms(), broadcast.except()), event, json, timeout)
        : Mono.just(new Acks(List.of(), 0));
    Mono<Cluster.Outcome> others = broadcast.includesOtherNodes()
        ? cluster.gather(new BusMessage(cluster.self(), broadcast.node(), EMIT_ACK, namespace.name(),
            broadcast.rooms(), broadcast.except(), event, json, JSON.objectNode().put(TIMEOUT, timeout.toMillis())),
            timeout.plus(server.config().clusterTimeout()))
        : Mono.just(Cluster.Outcome.NONE);
    return Mono.zip(here, others).flatMap(both -> {
      List<Reply> replies = new ArrayList<>(both.getT1().replies());
      int missing = both.getT1().missing();
      for (Cluster.Answer answer : both.getT2().answers()) {
        missing += answer.data().path(MISSING).asInt(0);
        for (JsonNode reply : answer.data().path(REPLIES)) {
          List<JsonNode> replyArgs = new ArrayList<>();
          reply.path(ARGS).forEach(replyArgs::add);
          replies.add(new DefaultReply(reply.path(FROM).asString(""), replyArgs, server.mapper()));
        }
      }
      List<String> silent = new ArrayList<>(both.getT2().silent());
      silent.addAll(both.getT2().failed().keySet());
      if (missing == 0 && silent.isEmpty()) {
        return Mono.just(List.copyOf(replies));
      }
      return Mono.error(new BroadcastAckException(event, timeout, replies, missing, silent));
    });
  }

  // Each channel's ack registered and its event sent now; a channel that does not answer (timed out, gone, at
  // its pending-ack limit) counts as missing.
  private static Mono<Acks> acksHere(List<DefaultChannel> channels, String event, List<JsonNode> json,
                                     Duration timeout) {
    if (channels.isEmpty()) {
      return Mono.just(new Acks(List.of(), 0));
    }
    Object[] args = json.toArray();
    List<Mono<Reply>> asked = new ArrayList<>(channels.size());
    for (DefaultChannel channel : channels) {
      Mono<Reply> one;
      try {
        one = channel.emitWithAck(timeout, event, args);
      } catch (RuntimeException e) {
        one = Mono.error(e);
      }
      asked.add(one.onErrorResume(e -> Mono.empty()));
    }
    return Flux.merge(Flux.fromIterable(asked), asked.size()).collectList()
        .map(replies -> new Acks(replies, channels.size() - replies.size()));
  }

  // ---- requests a transport relays ----

  void onRelay(String transport, Function<JsonNode, Mono<JsonNode>> handler) {
    relays.put(transport, handler);
  }

  Mono<Optional<JsonNode>> relay(String transport, @Nullable String node, JsonNode request, Duration timeout) {
    if (node != null && !cluster.nodes().contains(node)) {
      return Mono.just(Optional.empty());
    }
    ObjectNode data = JSON.objectNode().put(TRANSPORT, transport);
    data.set(REQUEST, request);
    // Done with the first node that takes it: the others only say it is not theirs.
    return cluster.gather(new BusMessage(cluster.self(), node, RELAY, "/", Set.of(), Set.of(), "", List.of(), data),
            timeout, answer -> answer.has(ANSWER))
        .flatMap(outcome -> {
          Optional<JsonNode> taken = outcome.answers().stream().filter(a -> a.data().has(ANSWER)).findFirst()
              .map(a -> a.data().get(ANSWER));
          if (taken.isPresent() || outcome.complete()) {
            return Mono.just(taken);
          }
          return Mono.error(new ClusterException("relay of a " + transport + " request", timeout, outcome.silent(),
              outcome.failed()));
        });
  }

  private Mono<ObjectNode> relayHere(BusMessage message) {
    JsonNode data = message.data();
    Function<JsonNode, Mono<JsonNode>> handler = data == null ? null : relays.get(data.path(TRANSPORT).asString(""));
    if (handler == null) {
      return Mono.just(JSON.objectNode().put(NONE, true));
    }
    return handler.apply(data.path(REQUEST))
        .map(answer -> JSON.objectNode().set(ANSWER, answer))
        .defaultIfEmpty(JSON.objectNode().put(NONE, true));
  }

  // ---- fetch ----

  Mono<List<RemoteChannel>> fetch(DefaultBroadcast broadcast) {
    server.checkOpen();
    DefaultNamespace namespace = broadcast.namespace();
    List<RemoteChannel> found = new ArrayList<>();
    if (broadcast.includesThisNode()) {
      List<DefaultChannel> here;
      try {
        here = fetchHere(namespace, broadcast.rooms(), broadcast.except());
      } catch (TooMany e) {
        return Mono.error(new ClusterException("fetchChannels in " + namespace.name(), broadcast.timeout(), List.of(),
            Map.of(cluster.self(), e.getMessage())));
      }
      for (DefaultChannel channel : here) {
        found.add(DefaultRemoteChannel.of(DefaultRemoteChannel.json(channel), cluster.self(), namespace));
      }
    }
    return askOthers(broadcast, FETCH, "fetchChannels", JSON.objectNode()).map(answers -> {
      for (Cluster.Answer answer : answers) {
        for (JsonNode channel : answer.data().path(CHANNELS)) {
          found.add(DefaultRemoteChannel.of(channel, answer.node(), namespace));
        }
      }
      return List.copyOf(found);
    });
  }

  private static List<DefaultChannel> fetchHere(DefaultNamespace namespace, Set<String> rooms, Set<String> except) {
    List<DefaultChannel> selected = namespace.select(rooms, except);
    if (selected.size() > Broadcast.MAX_FETCHED) {
      throw new TooMany(selected.size() + " channels match here, more than the " + Broadcast.MAX_FETCHED
          + " one node returns");
    }
    return selected;
  }

  private static final class TooMany extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooMany(String message) {
      super(message, null, false, false);
    }
  }

  // ---- server-side events ----

  Mono<Void> serverSideEmit(DefaultNamespace namespace, String event, Object[] args) {
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(server.mapper(), event, args);
    server.checkOpen();
    return server.publish(new BusMessage(cluster.self(), null, SERVER_EVENT, namespace.name(), Set.of(), Set.of(),
        event, json, null));
  }

  Mono<List<Reply>> serverSideEmitWithAck(DefaultNamespace namespace, Duration timeout, String event,
                                          Object[] args) {
    Checks.positive("timeout", timeout);
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(server.mapper(), event, args);
    server.checkOpen();
    return cluster.request("serverSideEmitWithAck " + Names.quote(event) + " in " + namespace.name(),
        new BusMessage(cluster.self(), null, SERVER_EVENT, namespace.name(), Set.of(), Set.of(), event, json,
            JSON.objectNode().put(ACK, true).put(TIMEOUT, timeout.toMillis())), timeout)
        .map(answers -> {
          List<Reply> replies = new ArrayList<>();
          for (Cluster.Answer answer : answers) {
            if (!answer.data().path(NONE).asBoolean(false)) {
              List<JsonNode> answered = new ArrayList<>();
              answer.data().path(ARGS).forEach(answered::add);
              replies.add(new DefaultReply(answer.node(), answered, server.mapper()));
            }
          }
          return List.copyOf(replies);
        });
  }

  private Mono<ObjectNode> serverEventHere(BusMessage request) {
    boolean wantsAck = request.data() != null && request.data().path(ACK).asBoolean(false);
    DefaultNamespace namespace = server.existingNamespace(request.namespace());
    if (namespace == null || !namespace.handlesServerEvent(request.event())) {
      return wantsAck ? Mono.just(JSON.objectNode().put(NONE, true)) : Mono.empty();
    }
    Sinks.One<List<JsonNode>> answer = Sinks.one();
    DefaultServerEvent event = new DefaultServerEvent(request.event(), request.args(), request.origin(),
        wantsAck ? answer : null, server.mapper());
    namespace.serverEvent(event);
    if (!wantsAck) {
      return Mono.empty();
    }
    // An answer after the sender's timeout would be dropped there: none is waited for beyond it.
    Duration wait = Duration.ofMillis(Math.max(1, request.data().path(TIMEOUT).asLong(1)));
    return answer.asMono()
        .timeout(wait, server.scheduler())
        .onErrorResume(TimeoutException.class, e -> Mono.empty())
        .map(args -> {
          ObjectNode data = JSON.objectNode();
          ArrayNode array = data.putArray(ARGS);
          args.forEach(array::add);
          return data;
        });
  }
}
