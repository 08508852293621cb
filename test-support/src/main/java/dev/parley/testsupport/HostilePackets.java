package dev.parley.testsupport;

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
    return Hostile.json(depth, placeholders);
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
    return Hostile.mutated(Arbitraries.oneOf(valid, examples), mutations(), 4);
  }

  private static Arbitrary<Hostile.Mutation> mutations() {
    Arbitrary<Double> where = Hostile.where();
    Arbitrary<Character> tricky = Arbitraries.of(Hostile.chars(TRICKY));
    Arbitrary<Hostile.Mutation> flip = Combinators.combine(where, tricky).as((w, c) -> t -> t.isEmpty() ? t
        : t.substring(0, Math.min(Hostile.at(t, w), t.length() - 1)) + c + t.substring(Math.min(Hostile.at(t, w), t.length() - 1) + 1));
    Arbitrary<Hostile.Mutation> hugeNumber = Arbitraries.of("9223372036854775808", "99999999999999999999",
        "18446744073709551616", "1e999999999", "-1e999999999", "1" + "0".repeat(1_200), "0.1e-999999999",
        "9".repeat(19)).map(n -> t -> replaceFirstNumber(t, n));
    Arbitrary<Hostile.Mutation> lieAboutAttachments = Arbitraries.of("5", "6").flatMap(type ->
        Arbitraries.integers().between(0, 1_000_000_000).map(n -> t -> type + n + "-" + (t.isEmpty() ? "" : t.substring(1))));
    Arbitrary<Hostile.Mutation> repeat = where.map(w -> t -> t + t.substring(Hostile.at(t, w)));
    return Arbitraries.oneOf(Hostile.truncations(), Hostile.insertions(TRICKY), flip, hugeNumber, Hostile.nestings(),
        lieAboutAttachments, repeat);
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
}
