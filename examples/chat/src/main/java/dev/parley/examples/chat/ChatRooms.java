package dev.parley.examples.chat;

import dev.parley.Channel;
import dev.parley.Handshake;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.error.ConnectionRejectedException;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The chat's server side: who may connect, and what each event does. */
final class ChatRooms {
  static final List<String> ROOMS = List.of("general", "random", "help");
  private static final Pattern NICKNAME = Pattern.compile("[\\p{L}\\p{N} _.-]{1,24}");
  private static final String ROOM = "room";

  private ChatRooms() {
  }

  /** Middleware: no nickname cookie, no connection. */
  static Handshake requireNickname(Handshake handshake) {
    String nick = handshake.cookie("nick").map(ChatRooms::decode).orElse("");
    if (!NICKNAME.matcher(nick).matches()) {
      throw new ConnectionRejectedException("sign in first",
          JsonNodeFactory.instance.objectNode().put("status", 401));
    }
    Principal user = () -> nick;
    return handshake.withPrincipal(user);
  }

  static void connected(Channel channel) {
    if (channel.handshake().transport().equals("sse")) {
      // An EventSource's URL names its room: /sse/general. A reconnect resumes after Last-Event-ID.
      String room = channel.handshake().path().replaceFirst("^.*/", "");
      if (ROOMS.contains(room)) {
        enter(channel, room, Replay.resume(channel.handshake(), Replay.last(50)));
      }
    }
    channel.on("join", (ch, event) -> {
      String room = event.arg(0, String.class);
      if (!ROOMS.contains(room)) {
        event.ack("no such room");
        return;
      }
      enter(ch, room, Replay.last(50)).subscribe(v -> { }, e -> { }, () -> event.ack("ok"));
    });
    channel.on("chat", (ch, event) -> {
      JsonNode line = event.arg(0);
      String room = line.path(ROOM).asString("");
      String text = line.path("text").asString("").strip();
      if (!ROOMS.contains(room) || text.isEmpty() || text.length() > 2000) {
        event.ack("rejected");
        return;
      }
      Map<String, Object> message = Map.of("from", nick(ch), "text", text,
          "cid", line.path("cid").asString(""), "at", Instant.now().toString());
      // Posted by the room, not the channel, so the sender gets its line back in the room's order too.
      ch.namespace().room(room).post("chat", message).subscribe(stored -> event.ack(stored.id()));
    });
    channel.on("typing", (ch, event) -> {
      String room = event.arg(0, String.class);
      if (ch.rooms().contains(room)) {
        ch.to(room).emit("typing", Map.of("from", nick(ch)));
      }
    });
    channel.onDisconnect().subscribe(reason -> {
      Object room = channel.data().get(ROOM);
      if (room != null) {
        presence(channel.namespace(), (String) room);
      }
    });
  }

  /** Leaves the channel's current room, joins {@code room} with {@code replay}, and updates presence. */
  private static reactor.core.publisher.Mono<Void> enter(Channel channel, String room, Replay replay) {
    Object previous = channel.data().put(ROOM, room);
    if (previous != null && !previous.equals(room)) {
      channel.leave((String) previous);
      presence(channel.namespace(), (String) previous);
    }
    reactor.core.publisher.Mono<Void> joined = channel.join(room, replay);
    presence(channel.namespace(), room);
    return joined;
  }

  /** Tells a room who is in it (on this node). */
  private static void presence(Namespace namespace, String room) {
    List<String> users = namespace.room(room).members().stream().map(ChatRooms::nick).distinct().sorted().toList();
    namespace.to(room).emit("presence", Map.of(ROOM, room, "users", users));
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
