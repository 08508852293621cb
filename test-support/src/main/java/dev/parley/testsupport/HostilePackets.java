package dev.parley.testsupport;

import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Hand-made valid and hostile Socket.IO packets, for the codec's tests, the same over a socket, and the fuzz
 * tests' seeds.
 */
public final class HostilePackets {
  /** Characters that mean something in the packet header or in JSON, and some that pretend to. */
  public static final String TRICKY = "0123456789-/,[]{}\":\\ .e+E_\u0000\n\r\u001b\u2028\u0663\uff10\u00e9";
  /** The specification's examples of what a client sends (the Socket.IO text, after Engine.IO's "4"). */
  public static final List<String> EXAMPLES = List.of(
      "0", "0/admin,{\"token\":\"123\"}", "1/admin,", "2[\"hello\",1]", "2/admin,456[\"project:delete\",123]",
      "3/admin,456[]", "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]",
      "62-/admin,7[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final SocketIoCodec CODEC = new SocketIoCodec(MAPPER);

  private HostilePackets() {
  }

  /** The frames a packet goes on the wire as: the Engine.IO text and its binary attachments. */
  public static WireFrame encode(Packet packet) {
    return CODEC.encode(packet);
  }

  /** "/", plain names, and names of characters that are legal but unusual. */
  public static List<String> namespaces() {
    return List.of("/", "/admin", "/chat", "/12", "/\u00e9t\u00e9", "/a b", "/[x]", "/\"q\"", "/" + "n".repeat(127));
  }

  /** JSON values of every kind, some nested, some of the shape of a binary placeholder. */
  public static List<JsonNode> json() {
    return List.of(NODES.stringNode(""), NODES.stringNode("h\u00e9\u2028\"\\"), NODES.numberNode(Long.MIN_VALUE),
        NODES.numberNode(-0.5e300), NODES.numberNode(new java.math.BigInteger("1" + "0".repeat(30))),
        NODES.booleanNode(true), NODES.nullNode(), read("[]"), read("{}"), read("[[1,[2,[3]]],{\"a\":{\"b\":[]}}]"),
        read("{\"_placeholder\":true,\"num\":0}"), read("{\"_placeholder\":false,\"num\":99}"),
        read("[{\"_placeholder\":true,\"num\":-1}]"));
  }

  /** Packets a client may send (events, acks, connects, disconnects), binary arguments included. */
  public static List<Packet> packets() {
    JsonNode bytes = NODES.binaryNode(new byte[] {0, 1, (byte) 0xff});
    JsonNode empty = NODES.binaryNode(new byte[0]);
    List<Packet> out = new ArrayList<>();
    for (String ns : namespaces()) {
      out.add(new Packet.Event(ns, "chat", List.of(NODES.stringNode("hi")), null, null));
      out.add(new Packet.Event(ns, "", List.of(), 0L, null));
      out.add(new Packet.Event(ns, "bin", List.of(bytes, read("{\"k\":[1]}"), empty), Long.MAX_VALUE, null));
      out.add(new Packet.Ack(ns, 7, List.of(read("[1,{\"a\":null}]"))));
      out.add(new Packet.Ack(ns, 0, List.of(bytes)));
      out.add(new Packet.Connect(ns, null));
      out.add(new Packet.Connect(ns, read("{\"token\":\"t\",\"n\":[1,2]}")));
      out.add(new Packet.Disconnect(ns));
    }
    out.add(new Packet.Event("/", "plain", json().stream()
        .filter(node -> !node.isObject() && !node.toString().contains("_placeholder")).toList(), 3L, null));
    return out;
  }

  /**
   * Socket.IO texts (what follows Engine.IO's "4"): valid packets and the specification's examples, each
   * truncated, spliced, flipped, given huge numbers, deep nesting or attachment counts that lie.
   */
  public static List<String> mutated() {
    List<String> valid = new ArrayList<>(EXAMPLES);
    for (Packet packet : List.of(new Packet.Event("/chat", "e", List.of(read("{\"a\":[1,\"b\"]}")), 12L, null),
        new Packet.Ack("/", 3, List.of(NODES.binaryNode(new byte[] {1}))))) {
      valid.add(CODEC.encode(packet).text().substring(1));
    }
    List<Hostile.Mutation> mutations = new ArrayList<>(Hostile.truncations());
    mutations.addAll(Hostile.insertions(TRICKY));
    mutations.addAll(Hostile.flips(TRICKY));
    for (String number : new String[] {"9223372036854775808", "99999999999999999999", "18446744073709551616",
        "1e999999999", "-1e999999999", "1" + "0".repeat(1_200), "0.1e-999999999", "9".repeat(19)}) {
      mutations.add(t -> replaceFirstNumber(t, number));
    }
    mutations.addAll(Hostile.nestings());
    for (String type : new String[] {"5", "6"}) {
      for (int count : new int[] {0, 2, 64, 65, 999, 1_000_000_000}) {
        mutations.add(t -> type + count + "-" + (t.isEmpty() ? "" : t.substring(1)));
      }
    }
    mutations.add(Hostile.repeat());
    return Hostile.mutated(valid, mutations);
  }

  private static JsonNode read(String json) {
    return MAPPER.readTree(json);
  }

  private static String replaceFirstNumber(String text, String number) {
    for (int i = 1; i < text.length(); i++) {
      if (Character.isDigit(text.charAt(i))) {
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
