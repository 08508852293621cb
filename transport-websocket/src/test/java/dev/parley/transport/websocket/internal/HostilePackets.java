package dev.parley.transport.websocket.internal;

import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Generators of valid and hostile Socket.IO packets, for the codec's properties and for the same over a socket. */
public final class HostilePackets {
  /** Characters that mean something in the packet header or in JSON, and some that pretend to. */
  public static final String TRICKY = "0123456789-/,[]{}\":\\ .e+E_\u0000\n\r\u001b\u2028\u0663\uff10\u00e9";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final SocketIoCodec CODEC = new SocketIoCodec(JsonMapper.builder().build());

  private HostilePackets() {
  }

  /** The frames a packet goes on the wire as: the Engine.IO text and its binary attachments. */
  public static WireFrame encode(Packet packet) {
    return CODEC.encode(packet);
  }

  /**
   * JSON trees up to {@code depth} levels; with {@code placeholders}, some objects look like binary
   * placeholders. An application value of that shape is ambiguous on the wire (so it is in Socket.IO),
   * which is why round trips leave them out.
   */
  public static Arbitrary<JsonNode> json(int depth, boolean placeholders) {
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> (JsonNode) NODES.stringNode(s)),
        Arbitraries.longs().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.doubles().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
            .map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)),
        Arbitraries.just(NODES.nullNode()),
        Arbitraries.of(0, 1, 2, 99, -1).map(n -> (JsonNode) NODES.objectNode().put("_placeholder", placeholders)
            .put("num", n)));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> inner = json(depth - 1, placeholders);
    Arbitrary<JsonNode> array = inner.list().ofMaxSize(4).map(list -> {
      ArrayNode node = NODES.arrayNode();
      list.forEach(node::add);
      return node;
    });
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), inner).ofMaxSize(4)
        .map(map -> {
          ObjectNode node = NODES.objectNode();
          map.forEach(node::set);
          return node;
        });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(1, object));
  }

  /** "/", a few plain names, and names of any characters but commas and control characters. */
  public static Arbitrary<String> namespaces() {
    return Arbitraries.oneOf(Arbitraries.just("/"), Arbitraries.of("/admin", "/chat", "/12"),
        Arbitraries.strings().all().excludeChars(',').ofMinLength(1).ofMaxLength(12)
            .filter(s -> s.chars().noneMatch(Character::isISOControl)).map(s -> "/" + s));
  }

  /** Packets a client may send (events, acks, connects, disconnects), binary arguments included. */
  public static Arbitrary<Packet> packets() {
    Arbitrary<String> namespace = namespaces();
    Arbitrary<List<JsonNode>> args = Arbitraries.oneOf(json(2, false),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> (JsonNode) NODES.binaryNode(b)))
        .list().ofMaxSize(4);
    Arbitrary<@Nullable Long> ackId = Arbitraries.oneOf(Arbitraries.just(null),
        Arbitraries.longs().greaterOrEqual(0).map(Long::valueOf));
    Arbitrary<Packet> event = Combinators.combine(namespace, Arbitraries.strings().ofMaxLength(20), args, ackId)
        .as((ns, name, list, id) -> new Packet.Event(ns, name, list, id, null));
    Arbitrary<Packet> ack = Combinators.combine(namespace, Arbitraries.longs().greaterOrEqual(0), args)
        .as((ns, id, list) -> new Packet.Ack(ns, id, list));
    Arbitrary<Packet> connect = Combinators.combine(namespace, Arbitraries.oneOf(Arbitraries.just(null),
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), json(2, false)).ofMaxSize(3).map(map -> {
          ObjectNode node = NODES.objectNode();
          map.forEach(node::set);
          return (JsonNode) node;
        }))).as(Packet.Connect::new);
    Arbitrary<Packet> disconnect = namespace.map(Packet.Disconnect::new);
    return Arbitraries.oneOf(event, ack, connect, disconnect);
  }

  /**
   * Socket.IO texts (what follows Engine.IO's "4"): valid packets and the specification's examples,
   * truncated, spliced, flipped, given huge numbers, deep nesting or attachment counts that lie.
   */
  public static Arbitrary<String> mutated() {
    Arbitrary<String> valid = packets().map(p -> CODEC.encode(p).text().substring(1));
    Arbitrary<String> examples = Arbitraries.of(
        "0", "0/admin,{\"token\":\"123\"}", "1/admin,", "2[\"hello\",1]", "2/admin,456[\"project:delete\",123]",
        "3/admin,456[]", "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]",
        "62-/admin,7[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]");
    return Combinators.combine(Arbitraries.oneOf(valid, examples), mutations(), Arbitraries.integers().between(1, 4))
        .as((text, mutation, times) -> {
          String out = text;
          for (int i = 0; i < times; i++) {
            out = mutation.apply(out);
          }
          return out;
        });
  }

  /** A change to a packet's text, at a position chosen from the text's length. */
  private interface Mutation {
    String apply(String text);
  }

  private static Arbitrary<Mutation> mutations() {
    Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
    Arbitrary<Character> tricky = Arbitraries.of(chars(TRICKY));
    Arbitrary<Mutation> truncate = where.map(w -> t -> t.substring(0, at(t, w)));
    Arbitrary<Mutation> insert = Combinators.combine(where, tricky)
        .as((w, c) -> t -> t.substring(0, at(t, w)) + c + t.substring(at(t, w)));
    Arbitrary<Mutation> flip = Combinators.combine(where, tricky).as((w, c) -> t -> t.isEmpty() ? t
        : t.substring(0, Math.min(at(t, w), t.length() - 1)) + c + t.substring(Math.min(at(t, w), t.length() - 1) + 1));
    Arbitrary<Mutation> hugeNumber = Arbitraries.of("9223372036854775808", "99999999999999999999",
        "18446744073709551616", "1e999999999", "-1e999999999", "1" + "0".repeat(1_200), "0.1e-999999999",
        "9".repeat(19)).map(n -> t -> replaceFirstNumber(t, n));
    Arbitrary<Mutation> nest = Combinators.combine(where, Arbitraries.integers().between(10, 1_500))
        .as((w, n) -> t -> t.substring(0, at(t, w)) + "[".repeat(n) + t.substring(at(t, w)) + "]".repeat(n));
    Arbitrary<Mutation> lieAboutAttachments = Arbitraries.of("5", "6").flatMap(type ->
        Arbitraries.integers().between(0, 1_000_000_000).map(n -> t -> type + n + "-" + (t.isEmpty() ? "" : t.substring(1))));
    Arbitrary<Mutation> repeat = where.map(w -> t -> t + t.substring(at(t, w)));
    return Arbitraries.oneOf(truncate, insert, flip, hugeNumber, nest, lieAboutAttachments, repeat);
  }

  private static int at(String text, double where) {
    return (int) Math.floor(where * text.length());
  }

  private static String replaceFirstNumber(String text, String number) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isDigit(text.charAt(i)) && i > 0) {
        int end = i;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
          end++;
        }
        return text.substring(0, i) + number + text.substring(end);
      }
    }
    return text + number;
  }

  static Character[] chars(String text) {
    Character[] out = new Character[text.length()];
    for (int i = 0; i < text.length(); i++) {
      out[i] = text.charAt(i);
    }
    return out;
  }

  /** Bytes this thread has allocated so far (HotSpot's com.sun.management counter, read reflectively). */
}
