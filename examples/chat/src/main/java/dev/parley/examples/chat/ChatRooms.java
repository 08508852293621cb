package dev.parley.examples.chat;

import dev.parley.Channel;
import dev.parley.Event;
import dev.parley.Handshake;
import dev.parley.Namespace;
import dev.parley.Presence;
import dev.parley.PresenceEvent;
import dev.parley.PresenceMember;
import dev.parley.Replay;
import dev.parley.error.ConnectionRejectedException;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;

/**
 * The chat's server side: who may connect, and what each event does.
 *
 * <p>Every field a client sends is checked before anything is stored or sent on, and nothing a client
 * sends is kept or repeated beyond these bounds (fields not listed are ignored, never stored):
 * <table>
 *   <caption>What a client sends, and the answer when it is wrong</caption>
 *   <tr><th>from the client</th><th>accepted</th><th>otherwise</th></tr>
 *   <tr><td>cookie {@code nick}</td><td>1 to {@value #MAX_NICKNAME} letters, digits, spaces, {@code _.-};
 *     no space first or last</td>
 *     <td>connect_error {@code "sign in first"} ({@code {"status": 401}}); SSE: 401</td></tr>
 *   <tr><td>{@code join(room)}</td><td>one of {@link #ROOMS}, as a string</td>
 *     <td>ack {@code {"error": "no such room"}}; success acks {@code "ok"} once the replay is sent</td></tr>
 *   <tr><td>{@code chat({room, text, cid})}</td><td>an object; {@code room} one of {@link #ROOMS};
 *     {@code text} a string of 1 to {@value #MAX_TEXT} chars once trimmed, no control characters;
 *     {@code cid} absent, or 1 to {@value #MAX_CID} letters, digits or dashes</td>
 *     <td>ack {@code {"error": "<which rule>"}}, nothing posted; success acks the stored message's id</td></tr>
 *   <tr><td>{@code typing(room)}</td><td>a string naming the room the channel is in</td><td>dropped</td></tr>
 *   <tr><td>SSE stream path {@code /sse/<room>}</td><td>one of {@link #ROOMS}</td>
 *     <td>the stream stays open in no room</td></tr>
 * </table>
 *
 * <p>Presence is sent as changes: a channel that enters a room gets {@code presence} {@code {room, users}}
 * once, the list of who is there on every node; the others in the room get {@code joined}
 * {@code {room, user}} when a user's first channel enters and {@code left} {@code {room, user}} when its
 * last one goes (on any node, or with its node when that dies), so a join costs the room one small event each,
 * not the whole list. Each node keeps, per room, how many channels each user has there, from the room's
 * presence events ({@link dev.parley.Room#presence()}); the lists and the changes come out of that one count, in
 * its order, so a client's list and the changes after it agree.
 *
 * <p>One instance per server: {@link #connected} is its connection handler; the counts start with the first
 * connection.
 */
public final class ChatRooms {
  static final List<String> ROOMS = List.of("general", "random", "help");
  static final int MAX_NICKNAME = 24;
  static final int MAX_TEXT = 2000;
  static final int MAX_CID = 64;
  static final String NO_SUCH_ROOM = "no such room";
  static final String NOT_A_LINE = "expected an object {room, text, cid}";
  static final String BAD_TEXT = "text must be 1 to " + MAX_TEXT + " characters";
  static final String CONTROL_IN_TEXT = "text must not contain control characters";
  static final String BAD_CID = "cid must be 1 to " + MAX_CID + " letters, digits or dashes";
  static final String NOT_STORED = "the line could not be stored";

  // Letters, digits, spaces and _.-, neither starting nor ending with a space.
  private static final Pattern NICKNAME =
      Pattern.compile("(?=[^ ])[\\p{L}\\p{N} _.-]{1," + MAX_NICKNAME + "}(?<=[^ ])");
  private static final Pattern CID = Pattern.compile("[A-Za-z0-9-]{1," + MAX_CID + "}");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cc}");
  private static final String ROOM = "room";
  private static final Logger log = LoggerFactory.getLogger(ChatRooms.class);

  // Room -> who is in it, on every node; set by watch().
  private final Map<String, Who> who = new ConcurrentHashMap<>();

  // Set once, by the first connection: the counts start then (the server has started; presence needs that).
  private final AtomicBoolean watching = new AtomicBoolean();

  /**
   * Starts counting who is in each room of {@code namespace} from the rooms' presence events, and from who is
   * there already (another node's members, learned of at start). Presence must be tracked in it
   * ({@link dev.parley.Namespace#trackPresence()}).
   */
  private void watch(Namespace namespace) {
    for (String room : ROOMS) {
      Who view = new Who(namespace, room);
      who.put(room, view);
      Presence presence = namespace.room(room).presence();
      presence.events().subscribe(event -> view.executor.execute(() -> view.changed(event)));
      view.executor.execute(() -> view.seed(presence));
    }
  }

  /**
   * Who is in one room: each user's channels there, on every node, changed only on the room's executor, in the
   * order of the presence events; a list asked for there is the room as of that point in that order. Channels
   * by id, so that a change seen twice (in the seed and as an event) counts once.
   */
  private static final class Who {
    final Namespace namespace;
    final String room;
    final SerialExecutor executor;
    final Map<String, Set<String>> channels = new HashMap<>();

    Who(Namespace namespace, String room) {
      this.namespace = namespace;
      this.room = room;
      this.executor = new SerialExecutor(ForkJoinPool.commonPool());
    }

    void seed(Presence presence) {
      List<PresenceMember> page = presence.members(null, Presence.MAX_PAGE);
      while (!page.isEmpty()) {
        page.forEach(member -> channels.computeIfAbsent(user(member), u -> new HashSet<>()).add(member.channelId()));
        page = presence.members(page.get(page.size() - 1).channelId(), Presence.MAX_PAGE);
      }
    }

    private static String user(PresenceMember member) {
      return member.user() == null ? "?" : member.user();
    }

    void changed(PresenceEvent event) {
      String user = user(event.member());
      String id = event.member().channelId();
      if (event.type() == PresenceEvent.Type.JOINED) {
        Set<String> ids = channels.computeIfAbsent(user, u -> new HashSet<>());
        if (ids.add(id) && ids.size() == 1) {
          // Every node tells its own clients: local(), so that each client hears it once.
          namespace.to(room).except(id).local().emit("joined", Map.of(ROOM, room, "user", user));
        }
        return;
      }
      Set<String> ids = channels.get(user);
      if (ids != null && ids.remove(id) && ids.isEmpty()) {
        channels.remove(user);
        namespace.to(room).local().emit("left", Map.of(ROOM, room, "user", user));
      }
    }

    /**
     * Sends the channel the list, as of the changes counted so far (the channel's own may not be yet); completes
     * once it is queued for the channel.
     */
    Mono<Void> sendList(Channel channel) {
      Sinks.Empty<Void> sent = Sinks.empty();
      executor.execute(() -> {
        Set<String> users = new TreeSet<>(channels.keySet());
        users.add(nick(channel));
        channel.emit("presence", Map.of(ROOM, room, "users", List.copyOf(users)));
        sent.tryEmitEmpty();
      });
      return sent.asMono();
    }
  }

  /**
   * A serial executor on a shared pool: the example's own, as the engine's is internal. Runs tasks one at a time,
   * in order.
   */
  private static final class SerialExecutor implements Executor {
    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      synchronized (this) {
        tasks.add(task);
        if (running) {
          return;
        }
        running = true;
      }
      pool.execute(this::drain);
    }

    private void drain() {
      while (true) {
        Runnable task;
        synchronized (this) {
          task = tasks.poll();
          if (task == null) {
            running = false;
            return;
          }
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("presence task failed", e);
        }
      }
    }
  }

  /**
   * Middleware: no nickname cookie, no connection.
   *
   * @return the handshake with the nickname as its principal
   * @throws ConnectionRejectedException without a valid {@code nick} cookie
   */
  public static Handshake requireNickname(Handshake handshake) {
    String nick = handshake.cookie("nick").map(ChatRooms::decode).orElse("");
    if (!NICKNAME.matcher(nick).matches()) {
      // SSE answers 401 for it; the status in the data is for Socket.IO clients, whose connect_error has none.
      throw ConnectionRejectedException.unauthorized("sign in first",
          JsonNodeFactory.instance.objectNode().put("status", 401));
    }
    Principal user = () -> nick;
    return handshake.withPrincipal(user);
  }

  /** The connection handler: a channel's events (join, chat, typing) and, for SSE, the room its URL names. */
  public void connected(Channel channel) {
    if (watching.compareAndSet(false, true)) {
      watch(channel.namespace());
    }
    if (channel.handshake().transport().equals("sse")) {
      // An EventSource's URL names its room: /sse/general. A reconnect resumes after Last-Event-ID.
      String room = channel.handshake().path().replaceFirst("^.*/", "");
      if (ROOMS.contains(room)) {
        enter(channel, room, Replay.resume(channel.handshake(), Replay.last(50)));
      }
    }
    channel.on("join", (ch, event) -> {
      String room = room(arg(event, 0));
      if (room == null) {
        event.ack(error(NO_SUCH_ROOM));
        return;
      }
      enter(ch, room, Replay.last(50)).subscribe(v -> { }, e -> { }, () -> event.ack("ok"));
    });
    channel.on("chat", (ch, event) -> {
      JsonNode line = arg(event, 0);
      String refusal = refusal(line);
      if (refusal != null) {
        event.ack(error(refusal));
        return;
      }
      String room = line.get(ROOM).asString();
      JsonNode cid = line.path("cid");
      Map<String, Object> message = Map.of("from", nick(ch), "text", line.get("text").asString().strip(),
          "cid", cid.isString() ? cid.asString() : "", "at", Instant.now().toString());
      // Posted by the room, not the channel, so the sender gets its line back in the room's order too.
      ch.namespace().room(room).post("chat", message)
          .subscribe(stored -> event.ack(stored.id()), e -> event.ack(error(NOT_STORED)));
    });
    channel.on("typing", (ch, event) -> {
      String room = room(arg(event, 0));
      if (room != null && ch.rooms().contains(room)) {
        ch.to(room).emit("typing", Map.of("from", nick(ch)));
      }
    });
  }

  /** What is wrong with a chat line, or null if nothing is. */
  static @Nullable String refusal(JsonNode line) {
    if (!line.isObject()) {
      return NOT_A_LINE;
    }
    if (room(line.path(ROOM)) == null) {
      return NO_SUCH_ROOM;
    }
    JsonNode text = line.path("text");
    if (!text.isString()) {
      return BAD_TEXT;
    }
    String stripped = text.asString().strip();
    if (stripped.isEmpty() || stripped.length() > MAX_TEXT) {
      return BAD_TEXT;
    }
    if (CONTROL.matcher(stripped).find()) {
      return CONTROL_IN_TEXT;
    }
    JsonNode cid = line.path("cid");
    if (!cid.isMissingNode() && !(cid.isString() && CID.matcher(cid.asString()).matches())) {
      return BAD_CID;
    }
    return null;
  }

  /** The room a client named, if it is a string naming one of {@link #ROOMS}; else null. */
  private static @Nullable String room(JsonNode name) {
    return name.isString() && ROOMS.contains(name.asString()) ? name.asString() : null;
  }

  private static JsonNode arg(Event event, int index) {
    return index < event.size() ? event.arg(index) : MissingNode.getInstance();
  }

  private static Map<String, String> error(String reason) {
    return Map.of("error", reason);
  }

  /**
   * Leaves the channel's current room, joins {@code room} with {@code replay}, and sends the channel who is there;
   * the others hear of it from the presence events ({@link Who#changed}).
   */
  private Mono<Void> enter(Channel channel, String room, Replay replay) {
    Object previous = channel.data().put(ROOM, room);
    if (previous != null && !previous.equals(room)) {
      channel.leave((String) previous);
    }
    Mono<Void> joined = channel.join(room, replay);
    Who view = who.get(room);
    // The join's answer waits for the list too: a client that has it has had the list first.
    return view == null ? joined : Mono.when(joined, view.sendList(channel));
  }

  private static String nick(Channel channel) {
    Principal user = channel.handshake().principal();
    return user == null ? "?" : user.getName();
  }

  private static String decode(String cookie) {
    try {
      return java.net.URLDecoder.decode(cookie, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
