package dev.parley.protocol.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

class SocketIoCodecTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final SocketIoCodec codec = new SocketIoCodec(JsonMapper.builder().build());

  private Decoded fromClient(String text) {
    return codec.decode(text, Peer.CLIENT);
  }

  // A packet a client sent that is complete in its text.
  private Packet packet(String text) {
    Decoded decoded = fromClient(text);
    assertThat(decoded).isInstanceOf(Decoded.Complete.class);
    return ((Decoded.Complete) decoded).packet();
  }

  // A binary packet a client sent, waiting for its attachments.
  private BinaryAssembly assembly(String text) {
    Decoded decoded = fromClient(text);
    assertThat(decoded).isInstanceOf(Decoded.AwaitingAttachments.class);
    return ((Decoded.AwaitingAttachments) decoded).assembly();
  }

  @Test
  void aConnectsDataIsWrittenAsTheMapperWouldWhateverItHolds() {
    JsonMapper mapper = JsonMapper.builder().build();
    List<JsonNode> datas = List.of(
        NODES.objectNode(),
        NODES.objectNode().put("sid", "abc").put("pid", "p-1"),
        NODES.objectNode().put("sid", "a\"b\\c").put("pid", "é"),
        NODES.objectNode().put("q\"", "v").put("tab\t", "\u0001"),
        NODES.objectNode().put("sid", "abc").put("n", 1),
        NODES.objectNode().put("sid", "abc").set("nested", NODES.objectNode().put("x", "y")),
        NODES.arrayNode().add("sid"),
        NODES.stringNode("plain"));
    for (JsonNode data : datas) {
      String text = codec.encode(new Packet.Connect("/", data)).text();
      assertThat(text).as("%s", data).isEqualTo("40" + mapper.writeValueAsString(data));
    }
  }

  @Test
  void encodesTheSpecificationExamples() {
    assertThat(codec.encode(new Packet.Connect("/", NODES.objectNode().put("sid", "abc"))).text())
        .isEqualTo("40{\"sid\":\"abc\"}");
    assertThat(codec.encode(new Packet.Connect("/admin", NODES.objectNode().put("sid", "abc"))).text())
        .isEqualTo("40/admin,{\"sid\":\"abc\"}");
    assertThat(codec.encode(new Packet.ConnectError("/", "Not authorized", null)).text())
        .isEqualTo("44{\"message\":\"Not authorized\"}");
    assertThat(codec.encode(new Packet.Disconnect("/admin")).text()).isEqualTo("41/admin,");
    assertThat(codec.encode(new Packet.Event("/", "hello", List.of(NODES.numberNode(1)), null, null)).text())
        .isEqualTo("42[\"hello\",1]");
    assertThat(codec.encode(new Packet.Event("/admin", "project:delete", List.of(NODES.numberNode(123)), 456L, null)).text())
        .isEqualTo("42/admin,456[\"project:delete\",123]");
    assertThat(codec.encode(new Packet.Ack("/admin", 456, List.of())).text()).isEqualTo("43/admin,456[]");
  }

  @Test
  void theKindOfARefusalIsNotOnTheWire() {
    for (Refusal refusal : Refusal.values()) {
      assertThat(codec.encode(new Packet.ConnectError("/admin", refusal, "Not authorized", null)).text())
          .as(refusal.name()).isEqualTo("44/admin,{\"message\":\"Not authorized\"}");
    }
  }

  @Test
  void aConnectErrorReadFromTheWireIsRejectedUnlessItNamesAnInvalidNamespace() {
    assertThat(SocketIoCodec.refusalOf("Invalid namespace")).isEqualTo(Refusal.INVALID_NAMESPACE);
    assertThat(SocketIoCodec.refusalOf("invalid namespace")).isEqualTo(Refusal.REJECTED);
    assertThat(SocketIoCodec.refusalOf("Invalid namespace ")).isEqualTo(Refusal.REJECTED);
    assertThat(SocketIoCodec.refusalOf("server shutting down")).isEqualTo(Refusal.REJECTED);
    assertThat(SocketIoCodec.refusalOf("Not authorized")).isEqualTo(Refusal.REJECTED);
    assertThat(SocketIoCodec.connectError("/nope", "Invalid namespace", null))
        .isEqualTo(new Packet.ConnectError("/nope", Refusal.INVALID_NAMESPACE, "Invalid namespace", null));
    JsonNode data = NODES.objectNode().put("status", 401);
    assertThat(SocketIoCodec.connectError("/", "Not authorized", data))
        .isEqualTo(new Packet.ConnectError("/", "Not authorized", data));
  }

  @Test
  void encodesBinaryArgumentsAsPlaceholdersAndAttachments() {
    byte[] bytes = {1, 2, 3};
    WireFrame frame = codec.encode(new Packet.Event("/", "hello", List.of(NODES.binaryNode(bytes)), null, null));
    assertThat(frame.text()).isEqualTo("451-[\"hello\",{\"_placeholder\":true,\"num\":0}]");
    assertThat(frame.attachments()).containsExactly(bytes);
  }

  @Test
  void decodesEventsAcksAndConnects() {
    assertThat(packet("0")).isEqualTo(new Packet.Connect("/", null));
    Packet.Connect admin = (Packet.Connect) packet("0/admin,{\"token\":\"123\"}");
    assertThat(admin.namespace()).isEqualTo("/admin");
    assertThat(admin.data().get("token").asString()).isEqualTo("123");
    Packet.Event event = (Packet.Event) packet("2/admin,12[\"chat\",\"hi\",{\"a\":1}]");
    assertThat(event.namespace()).isEqualTo("/admin");
    assertThat(event.name()).isEqualTo("chat");
    assertThat(event.ackId()).isEqualTo(12L);
    assertThat(event.args()).hasSize(2);
    assertThat(packet("3/admin,7[\"ok\"]")).isEqualTo(new Packet.Ack("/admin", 7, List.of(NODES.stringNode("ok"))));
    assertThat(packet("1")).isEqualTo(new Packet.Disconnect("/"));
  }

  @Test
  void aLoneSurrogateReachesHandlersAsSentAndLeavesAsAQuestionMark() {
    Packet.Event event = (Packet.Event) packet("2[\"chat\",\"a\\ud800b\"]");
    assertThat(event.args().get(0).asString()).isEqualTo("a\ud800b");

    WireFrame echoed = codec.encode(new Packet.Event("/", "chat", event.args(), null, null));

    // Not valid Unicode, so not valid UTF-8 either: Java's encoder writes '?' in its place (README, Hostile input).
    assertThat(new String(echoed.utf8(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("42[\"chat\",\"a?b\"]");
  }

  @Test
  void reassemblesBinaryEvents() {
    BinaryAssembly assembly = assembly("52-[\"upload\",{\"_placeholder\":true,\"num\":1},{\"x\":{\"_placeholder\":true,\"num\":0}}]");
    assertThat(assembly.add(new byte[] {9})).isNull();
    Packet.Event event = (Packet.Event) assembly.add(new byte[] {7, 8});
    List<JsonNode> args = event.args();
    assertThat(args.get(0).binaryValue()).containsExactly(7, 8);
    assertThat(args.get(1).get("x").binaryValue()).containsExactly(9);
  }

  @Test
  void rejectsMalformedInputWithProtocolException() {
    for (String bad : List.of("", "9", "2", "2{}", "2[]", "2[1,2]", "2[\"x\"", "4{\"message\":\"x\"}",
        "3[\"no id\"]", "0[1]", "1{}", "5-[\"x\"]", "5999-[\"x\"]", "50-[\"x\"]", "2/admin,[{\"a\":")) {
      assertThatThrownBy(() -> fromClient(bad)).as(bad).isInstanceOf(ProtocolException.class);
    }
    assertThatThrownBy(() -> fromClient("2[42]")).hasMessage("event name is not a string");
  }

  @Test
  void ackIdBeyondALongIsRejectedNotWrappedAround() {
    // Found by SocketIoCodecPropertiesTest: 2^63 used to wrap to Long.MIN_VALUE.
    assertThatThrownBy(() -> fromClient("2/admin,9223372036854775808[\"x\"]"))
        .isInstanceOf(ProtocolException.class).hasMessage("ack id out of range: 9223372036854775808");
    assertThatThrownBy(() -> fromClient("3" + "9".repeat(25) + "[]"))
        .isInstanceOf(ProtocolException.class).hasMessage("ack id out of range: 25 digits");
    assertThat(((Packet.Event) packet("29223372036854775807[\"x\"]")).ackId()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void digitsOfOtherScriptsAreNotAnAckId() {
    // Found by SocketIoCodecPropertiesTest: Character.isDigit took ARABIC-INDIC DIGIT THREE as id 1587.
    assertThatThrownBy(() -> fromClient("2\u0663[\"x\"]")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> fromClient("3\uff11[]")).isInstanceOf(ProtocolException.class);
  }

  @Test
  void payloadNestedDeeperThanTheBoundIsRejected() {
    // At Jackson's own bound (500) a tree could be read but not written once an application wrapped it.
    String ok = "2[\"x\"," + "[".repeat(63) + "]".repeat(63) + "]";
    assertThat(packet(ok)).isInstanceOf(Packet.Event.class);
    assertThatThrownBy(() -> fromClient("2[\"x\"," + "[".repeat(64) + "]".repeat(64) + "]"))
        .isInstanceOf(ProtocolException.class).hasMessage("JSON payload nested deeper than 64 levels");
    assertThatThrownBy(() -> fromClient("2[\"x\"," + "{\"a\":".repeat(498) + "1" + "}".repeat(498) + "]"))
        .isInstanceOf(ProtocolException.class);
    // Brackets inside strings are not nesting.
    assertThat(packet("2[\"" + "[{".repeat(200) + "\"]")).isInstanceOf(Packet.Event.class);
  }

  @Test
  void placeholderForAMissingAttachmentIsRejectedBeforeAnyAttachmentIsCollected() {
    assertThatThrownBy(() -> fromClient("51-[\"x\",{\"_placeholder\":true,\"num\":3}]"))
        .isInstanceOf(ProtocolException.class).hasMessage("placeholder refers to a missing attachment: 3");
    assertThatThrownBy(() -> fromClient("51-[\"x\",{\"_placeholder\":true}]"))
        .isInstanceOf(ProtocolException.class).hasMessage("placeholder refers to a missing attachment: null");
    assertThatThrownBy(() -> fromClient("51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]"))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void eachAttachmentIsReferredToExactlyOnce() {
    // 130 KB of placeholders all pointing at one attachment used to become one binary frame per reference
    // when the packet was sent on: each attachment is used once, and every attachment is used.
    String zero = "{\"_placeholder\":true,\"num\":0}";
    assertThatThrownBy(() -> fromClient("51-[\"x\"," + zero + "," + zero + "]"))
        .isInstanceOf(ProtocolException.class).hasMessage("placeholder 0 used twice");
    assertThatThrownBy(() -> fromClient("52-[\"x\"," + zero + "]"))
        .isInstanceOf(ProtocolException.class).hasMessage("2 attachments announced, 1 placeholders");
    assertThatThrownBy(() -> fromClient("61-7[\"x\"]"))
        .isInstanceOf(ProtocolException.class).hasMessage("1 attachments announced, 0 placeholders");
    // A placeholder's own fields are not searched for more placeholders, and a false marker is plain data.
    BinaryAssembly assembly = assembly("51-[\"x\",{\"_placeholder\":true,\"num\":0,"
        + "\"inner\":" + zero + "},{\"_placeholder\":false,\"num\":0}]");
    Packet.Event event = (Packet.Event) assembly.add(new byte[] {5});
    assertThat(event.args().get(0).binaryValue()).containsExactly(5);
    assertThat(event.args().get(1).get("_placeholder").booleanValue()).isFalse();
  }

  @Test
  void theHeaderIsReadWithoutParsingThePayload() {
    SocketIoCodec.Header header = codec.header("452-/admin,17[\"x\",{not even json", 1, Peer.CLIENT);
    assertThat(header.type()).isEqualTo(5);
    assertThat(header.attachments()).isEqualTo(2);
    assertThat(header.namespace()).isEqualTo("/admin");
    assertThat(header.eventAckId()).isEqualTo(17L);
    assertThat(header.payloadStart()).isEqualTo("452-/admin,17".length());
    assertThat(codec.header("43/admin,9[]", 1, Peer.CLIENT).eventAckId()).as("an ACK's id is not one to answer")
        .isNull();
    assertThat(codec.header("40/admin", 1, Peer.CLIENT).namespace()).isEqualTo("/admin");
    assertThat(codec.header("40", 1, Peer.CLIENT).connect()).isTrue();
  }

  @Test
  void aNamespaceLongerThanANameMayBeIsRejectedFromTheHeader() {
    String longest = "/" + "n".repeat(127);
    assertThat(codec.header("40" + longest + ",", 1, Peer.CLIENT).namespace()).isEqualTo(longest);
    assertThat(codec.header("40" + longest, 1, Peer.CLIENT).namespace()).isEqualTo(longest);
    assertThatThrownBy(() -> codec.header("40" + longest + "n,", 1, Peer.CLIENT)).isInstanceOf(ProtocolException.class)
        .hasMessage("namespace longer than 128 characters");
    assertThatThrownBy(() -> codec.header("40/" + "n".repeat(100_000), 1, Peer.CLIENT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("namespace longer than 128 characters");
  }

  @Test
  void typesThatTakeNoPayloadOrNeedOneAreRejectedFromTheHeader() {
    for (String bad : List.of("41{}", "42", "42/admin,", "437", "43[1]", "44{\"message\":\"x\"}", "451-")) {
      assertThatThrownBy(() -> codec.header(bad, 1, Peer.CLIENT)).as(bad).isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void aRecoverableEventCarriesItsOffsetLast() {
    JsonNode payload = NODES.objectNode().put("text", "hi");
    assertThat(codec.encode(new Packet.Event("/", "chat", List.of(payload), null, "0000000000000007", true)).text())
        .isEqualTo("42[\"chat\",{\"text\":\"hi\"},\"0000000000000007\"]");
    assertThat(codec.encode(new Packet.Event("/", "chat", List.of(payload), null, "0000000000000007", false)).text())
        .as("recovery off").isEqualTo("42[\"chat\",{\"text\":\"hi\"}]");
    byte[] bytes = {9};
    WireFrame binary = codec.encode(new Packet.Event("/", "file", List.of(NODES.binaryNode(bytes)), null, "08", true));
    assertThat(binary.text()).isEqualTo("451-[\"file\",{\"_placeholder\":true,\"num\":0},\"08\"]");
  }

  @Test
  void aRecoverableEmitEndingWithAStringOrNullGetsANullSlot() {
    assertThat(codec.encode(new Packet.Event("/", "typing", List.of(NODES.stringNode("ann")), null, null, true)).text())
        .isEqualTo("42[\"typing\",\"ann\",null]");
    assertThat(codec.encode(new Packet.Event("/", "x", List.of(NODES.nullNode()), null, null, true)).text())
        .isEqualTo("42[\"x\",null,null]");
    assertThat(codec.encode(new Packet.Event("/", "x", List.of(NODES.numberNode(1)), null, null, true)).text())
        .isEqualTo("42[\"x\",1]");
    assertThat(codec.encode(new Packet.Event("/", "x", List.of(), null, null, true)).text()).isEqualTo("42[\"x\"]");
    assertThat(codec.encode(new Packet.Event("/", "ask", List.of(NODES.stringNode("q")), 5L, null, true)).text())
        .as("the client puts its ack callback last: nothing to protect").isEqualTo("425[\"ask\",\"q\"]");
  }

  // ---- what a server sends, decoded by a client ----

  private Packet fromServer(String text) {
    Decoded decoded = codec.decode(text, Peer.SERVER);
    assertThat(decoded).isInstanceOf(Decoded.Complete.class);
    return ((Decoded.Complete) decoded).packet();
  }

  // What the client reads is what the server wrote: the frame's text without Engine.IO's "4".
  private Packet serverRoundTrip(Packet sent) {
    return fromServer(codec.encode(sent).text().substring(1));
  }

  @Test
  void aClientReadsTheServersConnectWithItsSid() {
    assertThat(fromServer("0{\"sid\":\"abc\"}"))
        .isEqualTo(new Packet.Connect("/", NODES.objectNode().put("sid", "abc")));
    assertThat(fromServer("0/admin,{\"sid\":\"abc\",\"pid\":\"p\"}")).isEqualTo(
        new Packet.Connect("/admin", NODES.objectNode().put("sid", "abc").put("pid", "p")));
    assertThatThrownBy(() -> codec.decode("0[1]", Peer.SERVER)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void aClientReadsAConnectErrorWithItsNamespaceAndData() {
    JsonNode data = NODES.objectNode().put("status", 401);
    assertThat(fromServer("4/admin,{\"message\":\"Not authorized\",\"data\":{\"status\":401}}"))
        .isEqualTo(new Packet.ConnectError("/admin", Refusal.REJECTED, "Not authorized", data));
    assertThat(fromServer("4/nope,{\"message\":\"Invalid namespace\"}"))
        .isEqualTo(new Packet.ConnectError("/nope", Refusal.INVALID_NAMESPACE, "Invalid namespace", null));
    assertThat(fromServer("4{\"message\":\"x\",\"data\":null}"))
        .as("a null data is no data").isEqualTo(new Packet.ConnectError("/", Refusal.REJECTED, "x", null));
    assertThat(fromServer("4\"Not authorized\"")).as("Socket.IO v4's bare message")
        .isEqualTo(new Packet.ConnectError("/", Refusal.REJECTED, "Not authorized", null));
    assertThat(fromServer("4/admin,")).as("no body")
        .isEqualTo(new Packet.ConnectError("/admin", Refusal.REJECTED, "connection refused", null));
    for (Refusal refusal : Refusal.values()) {
      Packet.ConnectError sent = new Packet.ConnectError("/admin", refusal, SocketIoCodec.INVALID_NAMESPACE, data);
      assertThat(serverRoundTrip(sent)).isEqualTo(SocketIoCodec.connectError("/admin", "Invalid namespace", data));
    }
  }

  @Test
  void aConnectErrorIsRefusedFromAClientAndWhenMalformed() {
    assertThatThrownBy(() -> fromClient("4{\"message\":\"x\"}")).isInstanceOf(ProtocolException.class)
        .hasMessage("a client may not send CONNECT_ERROR");
    assertThatThrownBy(() -> codec.decode("47{\"message\":\"x\"}", Peer.SERVER))
        .isInstanceOf(ProtocolException.class).hasMessage("CONNECT_ERROR takes no id");
    assertThatThrownBy(() -> codec.decode("4[1]", Peer.SERVER)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void aClientReadsTheNamespacePrefixUnderTheSameLimits() {
    assertThat(fromServer("2/chat,[\"hi\",1]"))
        .isEqualTo(new Packet.Event("/chat", "hi", List.of(NODES.numberNode(1)), null, null));
    assertThat(fromServer("1/chat,")).isEqualTo(new Packet.Disconnect("/chat"));
    assertThat(fromServer("3/chat,4[true]")).isEqualTo(new Packet.Ack("/chat", 4, List.of(NODES.booleanNode(true))));
    assertThatThrownBy(() -> codec.decode("2/" + "n".repeat(200) + ",[\"x\"]", Peer.SERVER))
        .isInstanceOf(ProtocolException.class).hasMessage("namespace longer than 128 characters");
    assertThatThrownBy(() -> codec.decode("2[\"x\"," + "[".repeat(64) + "]".repeat(64) + "]", Peer.SERVER))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void aClientReassemblesABinaryEventFromTheServer() {
    byte[] bytes = {1, 2, 3};
    WireFrame frame = codec.encode(new Packet.Event("/chat", "file", List.of(NODES.stringNode("a"),
        NODES.objectNode().set("blob", NODES.binaryNode(bytes))), 9L, null));
    Decoded decoded = codec.decode(frame.text().substring(1), Peer.SERVER);
    assertThat(decoded).isInstanceOf(Decoded.AwaitingAttachments.class);
    BinaryAssembly assembly = ((Decoded.AwaitingAttachments) decoded).assembly();
    assertThat(assembly.expected()).isEqualTo(1);
    Packet.Event event = (Packet.Event) assembly.add(frame.attachments().get(0));
    assertThat(event.namespace()).isEqualTo("/chat");
    assertThat(event.ackId()).isEqualTo(9L);
    assertThat(event.args().get(1).get("blob").binaryValue()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> codec.decode("5" + (SocketIoCodec.MAX_ATTACHMENTS + 1) + "-[\"x\"]", Peer.SERVER))
        .isInstanceOf(ProtocolException.class);
  }

  // ---- the recovery offset slot ----

  private Packet.Event recoverable(List<JsonNode> args, String messageId) {
    return new Packet.Event("/", "chat", args, null, messageId, true);
  }

  @Test
  void theOffsetSlotTheServerAddsIsTheOneTheClientTakes() {
    JsonNode text = NODES.stringNode("ann");
    JsonNode one = NODES.numberNode(1);
    List<List<JsonNode>> argLists = List.of(List.of(), List.of(one), List.of(text), List.of(NODES.nullNode()),
        List.of(one, text), List.of(text, NODES.nullNode()));
    for (List<JsonNode> args : argLists) {
      for (String messageId : java.util.Arrays.asList(null, "0000000000000007")) {
        Packet.Event received = (Packet.Event) serverRoundTrip(recoverable(args, messageId));
        RecoveryOffset slot = RecoveryOffset.take(received);
        assertThat(slot.args()).as(args + " " + messageId).isEqualTo(args);
        assertThat(slot.offset()).as(args + " " + messageId).isEqualTo(messageId);
      }
    }
  }

  @Test
  void anEventWithAnAckIdHasNoSlot() {
    Packet.Event asked = new Packet.Event("/", "ask", List.of(NODES.stringNode("q")), 5L, null, true);
    RecoveryOffset slot = RecoveryOffset.take((Packet.Event) serverRoundTrip(asked));
    assertThat(slot.args()).containsExactly(NODES.stringNode("q"));
    assertThat(slot.offset()).isNull();
  }

  // ---- the Engine.IO open packet ----

  @Test
  void theOpenPacketRoundTrips() {
    JsonMapper mapper = JsonMapper.builder().build();
    OpenPacket open = new OpenPacket("s\"id\\", List.of(), 25_000, 20_000, 1_000_000);
    assertThat(new OpenPacket("abc", List.of(), 25_000, 20_000, 1_000_000).encode())
        .isEqualTo("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
            + "\"maxPayload\":1000000}");
    assertThat(OpenPacket.parse(open.encode(), mapper)).isEqualTo(open);
    OpenPacket upgrades = new OpenPacket("x", List.of("websocket"), 1, 2, 0);
    assertThat(OpenPacket.parse(upgrades.encode(), mapper)).isEqualTo(upgrades);
  }

  @Test
  void theOpenPacketWrittenDirectlyIsTheJsonTreesOwnText() {
    JsonMapper mapper = JsonMapper.builder().build();
    for (String sid : List.of("abc", "aZ09-_~!#$%&'()*+,./:;<=>?@[]^`{|}", "", "s\"id", "back\\slash", "tab\t",
        "caf\u00e9", "\u007f", "\ud83d\ude00")) {
      for (List<String> upgrades : List.of(List.<String>of(), List.of("websocket"), List.of("a", "b\"c"))) {
        OpenPacket open = new OpenPacket(sid, upgrades, 25_000, 20_000, 1_000_000);
        assertThat(open.encode()).as("sid %s, upgrades %s", sid, upgrades).isEqualTo(open.encodeEscaped());
        assertThat(OpenPacket.parse(open.encode(), mapper)).isEqualTo(open);
      }
    }
  }

  @Test
  void anOpenPacketNeedsItsSidAndTimingsButNotTheRest() {
    JsonMapper mapper = JsonMapper.builder().build();
    assertThat(OpenPacket.parse("{\"sid\":\"a\",\"pingInterval\":5,\"pingTimeout\":-3}", mapper))
        .isEqualTo(new OpenPacket("a", List.of(), 5, 0, 0));
    for (String bad : List.of("", "[]", "{\"pingInterval\":5,\"pingTimeout\":6}",
        "{\"sid\":1,\"pingInterval\":5,\"pingTimeout\":6}",
        "{\"sid\":\"a\",\"pingTimeout\":6}", "{\"sid\":\"a\",\"pingInterval\":\"5\",\"pingTimeout\":6}",
        "{\"sid\":\"a\",\"pingInterval\":5,\"pingTimeout\":6,\"upgrades\":\"websocket\"}",
        "{\"sid\":\"a\",\"pingInterval\":5,\"pingTimeout\":6,\"maxPayload\":\"big\"}", "{not json")) {
      assertThatThrownBy(() -> OpenPacket.parse(bad, mapper)).as(bad).isInstanceOf(ProtocolException.class);
    }
    assertThatThrownBy(() -> new OpenPacket("a", List.of(), -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
