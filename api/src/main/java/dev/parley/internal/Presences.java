package dev.parley.internal;

import dev.parley.Channel;
import dev.parley.Presence;
import dev.parley.PresenceMember;
import dev.parley.protocol.Names;
import dev.parley.spi.BusMessage;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Presence across nodes: this node's joins and leaves in the namespaces that track presence, sent to the other
 * nodes in order, and theirs applied here.
 *
 * <p>Each node numbers the batches of changes it sends ({@value #PRESENCE}: one bus message per batch, one batch
 * in flight at a time, so they arrive in order). A node that learns of another asks it for a snapshot of its
 * members ({@value #SNAPSHOT}), which carries the number of the last batch it includes; batches up to that number
 * are then skipped, the next ones applied, and a gap in the numbers (a batch lost) asks for a snapshot again. A
 * node that goes away takes its members with it. So every node's table converges on what every node holds.
 *
 * <p>Threading: local changes arrive under a namespace's room-registry lock and only queue here; bus messages
 * arrive on the bus's thread.
 */
final class Presences {
  private static final Logger log = LoggerFactory.getLogger(Presences.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  static final String PRESENCE = "presence";
  static final String SNAPSHOT = "presence-snapshot";
  // The most changes one batch carries: a bus message stays small however many channels join at once.
  private static final int MAX_BATCH = 500;
  private static final String SEQ = "seq";
  private static final String CHANGES = "changes";
  private static final String MEMBERS = "members";

  private final DefaultChatServer server;
  private final Cluster cluster;
  private final String self;
  // Namespace name -> its table, for the namespaces that track presence here.
  private final Map<String, PresenceTable> tables = new ConcurrentHashMap<>();
  // Queued changes of this node and the number of the last batch sent, under this object's lock.
  private final ArrayDeque<ObjectNode> queue = new ArrayDeque<>();
  private long sent;
  private boolean sending;
  // The other nodes by id; its lock orders every change coming from them.
  private final Map<String, Peer> peers = new HashMap<>();

  Presences(DefaultChatServer server, Cluster cluster) {
    this.server = server;
    this.cluster = cluster;
    this.self = cluster.self();
    cluster.handle(SNAPSHOT, request -> Mono.fromCallable(this::snapshot));
    cluster.handle(PRESENCE, request -> {
      receive(request);
      return Mono.empty();
    });
    cluster.onNodes(this::nodeJoined, this::nodeGone);
    cluster.onHeartbeat(data -> {
      synchronized (this) {
        data.put(SEQ, sent);
      }
    }, this::heartbeat);
  }

  /** Starts tracking a namespace's presence: its registry's changes from now on, and its members so far. */
  PresenceTable track(DefaultNamespace namespace) {
    PresenceTable table = tables.computeIfAbsent(namespace.name(),
        n -> new PresenceTable(self, server::handlerScheduler));
    namespace.roomRegistry().listen(new RoomRegistry.Changes<>() {
      @Override
      public void joined(String room, DefaultChannel channel) {
        if (!room.equals(channel.id())) {
          PresenceMember member = new PresenceMember(room, channel.id(), self, user(channel), Instant.now());
          table.join(member);
          queue(namespace.name(), "join", member);
        }
      }

      @Override
      public void left(String room, DefaultChannel channel) {
        if (!room.equals(channel.id())) {
          table.leave(room, channel.id(), self);
          queue(namespace.name(), "leave", new PresenceMember(room, channel.id(), self, null, Instant.EPOCH));
        }
      }
    });
    // Tracking that starts after other nodes were learned of: their members in this namespace are asked for.
    List<String> known;
    synchronized (peers) {
      known = List.copyOf(peers.keySet());
      for (Peer peer : peers.values()) {
        peer.last = -1;
        peer.held.clear();
      }
    }
    known.forEach(this::askSnapshot);
    // Channels already here (tracking is meant to start before any connect, but need not).
    for (Channel channel : namespace.channels()) {
      for (String room : channel.rooms()) {
        if (!room.equals(channel.id())) {
          PresenceMember member = new PresenceMember(room, channel.id(), self, user((DefaultChannel) channel),
              Instant.now());
          table.join(member);
          queue(namespace.name(), "join", member);
        }
      }
    }
    return table;
  }

  /** A room's presence, if its namespace tracks it. */
  Presence of(DefaultNamespace namespace, String room) {
    PresenceTable table = tables.get(namespace.name());
    if (table == null) {
      throw new IllegalStateException("presence is not tracked in " + namespace.name()
          + ": call trackPresence() on it, on every node, before clients connect");
    }
    return table.of(Names.room(room));
  }

  private static @Nullable String user(DefaultChannel channel) {
    Principal principal = channel.handshake().principal();
    return principal == null ? null : principal.getName();
  }

  // ---- this node's changes, out ----

  private void queue(String namespace, String op, PresenceMember member) {
    ObjectNode change = JSON.objectNode().put("op", op).put("ns", namespace).put("room", member.room())
        .put("id", member.channelId());
    if (member.user() != null) {
      change.put("user", member.user());
    }
    change.put("since", member.since().toEpochMilli());
    synchronized (this) {
      queue.add(change);
      if (sending) {
        return;
      }
      sending = true;
    }
    // Not here, under the room registry's lock: with the memory store, sending runs the other nodes' code.
    next();
  }

  // The next batch, on the handler executor; if it refuses (the server is stopping), none: the others drop this
  // node's members when it says goodbye.
  private void next() {
    try {
      server.handlerExecutor().execute(this::send);
    } catch (RuntimeException e) {
      log.debug("presence changes not sent: {}", e.toString());
      synchronized (this) {
        sending = false;
      }
    }
  }

  // One batch in flight at a time: the next goes when the bus has taken this one.
  private void send() {
    ObjectNode data = JSON.objectNode();
    synchronized (this) {
      if (queue.isEmpty()) {
        sending = false;
        return;
      }
      ArrayNode changes = data.putArray(CHANGES);
      for (int i = 0; i < MAX_BATCH && !queue.isEmpty(); i++) {
        changes.add(queue.poll());
      }
      sent++;
      data.put(SEQ, sent);
    }
    try {
      server.store().bus().publish(new BusMessage(self, null, PRESENCE, "/", Set.of(), Set.of(), "", List.of(),
              cluster.stamped(data)))
          .subscribe(v -> { }, e -> {
            // The others see the gap: in the next batch's number, or in the heartbeats' (which carry the last).
            log.warn("presence changes not sent to the other nodes", e);
            next();
          }, this::next);
    } catch (RuntimeException e) {
      log.warn("presence changes not sent to the other nodes", e);
      synchronized (this) {
        sending = false;
      }
    }
  }

  // What another node asks for: every member of this node, and the number of the last batch whose changes are
  // all in it. Changes queued and not yet numbered are in it too, and come again in later batches: applying a
  // join or leave twice, in order, changes nothing, so only a batch missed would matter, and none is.
  private ObjectNode snapshot() {
    ObjectNode data = JSON.objectNode();
    synchronized (this) {
      data.put(SEQ, sent);
      ArrayNode members = data.putArray(MEMBERS);
      tables.forEach((namespace, table) -> table.membersOf(self).forEach(m -> members.add(json(namespace, m))));
    }
    return data;
  }

  private static ObjectNode json(String namespace, PresenceMember member) {
    ObjectNode out = JSON.objectNode().put("ns", namespace).put("room", member.room()).put("id", member.channelId())
        .put("since", member.since().toEpochMilli());
    if (member.user() != null) {
      out.put("user", member.user());
    }
    return out;
  }

  // ---- the other nodes' changes, in ----

  /** Another node, as far as its presence goes: under the peers map's lock. */
  private static final class Peer {
    // The number of its last batch applied, or -1 while a snapshot is awaited.
    long last = -1;
    // Batches that came while a snapshot was awaited, to apply after it; at most MAX_HELD, then overflowed.
    final ArrayDeque<JsonNode> held = new ArrayDeque<>();
    boolean overflowed;
    // A snapshot asked for and not yet answered (or failed).
    boolean asking;
    // The last number a heartbeat named beyond `last`: still beyond it at the next heartbeat, a batch was lost.
    long suspect = -1;
  }

  private static final int MAX_HELD = 64;

  private void nodeJoined(String node) {
    synchronized (peers) {
      peers.put(node, new Peer());
    }
    askSnapshot(node);
  }

  // A heartbeat names the number of the node's last batch: a snapshot is asked for if one is awaited and not being
  // asked for (the last attempt failed), or if a batch named in the previous heartbeat has still not come.
  private void heartbeat(String node, JsonNode data) {
    long seq = data.path(SEQ).asLong(-1);
    boolean ask;
    synchronized (peers) {
      Peer peer = peers.get(node);
      if (peer == null || seq < 0) {
        return;
      }
      if (peer.last < 0) {
        ask = !peer.asking;
      } else if (seq <= peer.last) {
        peer.suspect = -1;
        ask = false;
      } else if (peer.suspect >= 0 && peer.suspect > peer.last) {
        peer.last = -1;
        peer.suspect = -1;
        ask = true;
      } else {
        peer.suspect = seq;
        ask = false;
      }
    }
    if (ask) {
      askSnapshot(node);
    }
  }

  private void nodeGone(String node) {
    synchronized (peers) {
      peers.remove(node);
      tables.values().forEach(table -> table.dropNode(node));
    }
  }

  private void askSnapshot(String node) {
    Peer asked;
    synchronized (peers) {
      asked = peers.get(node);
      if (asked == null) {
        return;
      }
      asked.asking = true;
    }
    cluster.request("presence snapshot", new BusMessage(self, node, SNAPSHOT, "/", Set.of(), Set.of(), "",
            List.of(), null), server.config().clusterTimeout())
        .subscribe(answers -> answers.forEach(answer -> applySnapshot(asked, answer.node(), answer.data())),
            e -> {
              // Asked again at the node's next heartbeat.
              log.debug("no presence snapshot from node {}: {}", node, e.getMessage());
              synchronized (peers) {
                asked.asking = false;
              }
            });
  }

  private void applySnapshot(Peer asked, String node, JsonNode data) {
    Map<String, List<PresenceMember>> byNamespace = new HashMap<>();
    for (JsonNode member : data.path(MEMBERS)) {
      byNamespace.computeIfAbsent(member.path("ns").asString(""), n -> new ArrayList<>()).add(member(node, member));
    }
    boolean again = false;
    synchronized (peers) {
      Peer peer = peers.get(node);
      asked.asking = false;
      if (peer != asked || peer.last >= 0) {
        // The node went (or restarted) since, its snapshot of another life; or this one is not awaited.
        return;
      }
      tables.forEach((namespace, table) -> table.replaceNode(node, byNamespace.getOrDefault(namespace, List.of())));
      peer.last = data.path(SEQ).asLong(0);
      again = peer.overflowed;
      peer.overflowed = false;
      while (!peer.held.isEmpty() && !again) {
        JsonNode batch = peer.held.poll();
        long seq = batch.path(SEQ).asLong(0);
        if (seq == peer.last + 1) {
          apply(node, batch);
          peer.last = seq;
        } else if (seq > peer.last + 1) {
          again = true;
        }
      }
      if (again) {
        peer.last = -1;
        peer.held.clear();
      }
    }
    if (again) {
      askSnapshot(node);
    }
  }

  private static PresenceMember member(String node, JsonNode json) {
    String user = json.path("user").asString(null);
    return new PresenceMember(json.path("room").asString(""), json.path("id").asString(""), node, user,
        Instant.ofEpochMilli(json.path("since").asLong(0)));
  }

  private void receive(BusMessage message) {
    String node = message.origin();
    JsonNode data = message.data();
    if (data == null) {
      return;
    }
    long seq = data.path(SEQ).asLong(0);
    synchronized (peers) {
      Peer peer = peers.get(node);
      if (peer == null) {
        return;
      }
      if (peer.last < 0) {
        // Awaiting a snapshot: after it, in order. Beyond the bound, the snapshot's own numbers tell.
        if (peer.held.size() < MAX_HELD) {
          peer.held.add(data);
        } else {
          peer.overflowed = true;
        }
        return;
      }
      if (seq <= peer.last) {
        return;
      }
      apply(node, data);
      if (seq == peer.last + 1) {
        peer.last = seq;
        return;
      }
      // A batch was lost on the way: this one is applied, and a snapshot puts the rest right.
      peer.last = -1;
    }
    askSnapshot(node);
  }

  private void apply(String node, JsonNode batch) {
    for (JsonNode change : batch.path(CHANGES)) {
      PresenceTable table = tables.get(change.path("ns").asString(""));
      if (table == null) {
        continue;
      }
      if ("join".equals(change.path("op").asString(""))) {
        table.join(member(node, change));
      } else {
        table.leave(change.path("room").asString(""), change.path("id").asString(""), node);
      }
    }
  }

  /** Ends the presence events of every table: the server closed. */
  void close() {
    tables.values().forEach(PresenceTable::complete);
  }
}
