package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parley.protocol.JsonDepth;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.BinaryAssembly;
import dev.parley.protocol.socketio.Decoded;
import dev.parley.protocol.socketio.Peer;
import dev.parley.protocol.socketio.ProtocolException;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.testsupport.Allocations;
import dev.parley.testsupport.HostilePackets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Socket.IO decoder over hand-made hostile text (valid packets and the specification's examples, cut,
 * spliced, flipped, deepened, given huge numbers and attachment counts that lie; every header over JSON of
 * every kind): it returns a packet (or a binary assembly) or throws {@link ProtocolException}, nothing else;
 * it never takes long; it allocates in proportion to its input, never to a number the input claims; and what
 * it accepts the server can send on again. Valid packets survive an encode/decode round trip. The fuzz test
 * ({@link EngineIoFramesFuzzTest}) starts from these cases and goes on from there.
 */
class SocketIoCodecHostileTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration BOUND = Duration.ofSeconds(5);

  private final SocketIoCodec codec = new SocketIoCodec(MAPPER);

  @Test
  void trickyTextDecodesOrIsRejected() {
    String tricky = HostilePackets.TRICKY;
    for (int k = 0; k < tricky.length(); k++) {
      String rotated = tricky.substring(k) + tricky.substring(0, k);
      decodeOrReject(rotated);
      decodeOrReject("2" + rotated);
      decodeOrReject("5" + rotated);
      decodeOrReject(rotated.substring(0, k));
    }
    decodeOrReject("");
  }

  @Test
  void anyJsonAfterAnyHeaderDecodesOrIsRejected() {
    for (String header : headers()) {
      for (JsonNode json : HostilePackets.json()) {
        decodeOrReject(header + MAPPER.writeValueAsString(json));
      }
      decodeOrReject(header);
    }
  }

  @Test
  void mutatedPacketsDecodeOrAreRejected() {
    for (String text : HostilePackets.mutated()) {
      decodeOrReject(text);
    }
  }

  @Test
  void nestingIsBoundedWhateverTheDepth() {
    for (int depth : new int[] {1, 2, 62, 63, 64, 65, 100, 499, 500, 501, 1_000, 5_000}) {
      for (boolean objects : new boolean[] {false, true}) {
        String open = objects ? "{\"a\":" : "[";
        String close = objects ? "}" : "]";
        String text = "2[\"deep\"," + open.repeat(depth) + "1" + close.repeat(depth) + "]";
        Object decoded = decodeOrReject(text);
        assertThat(decoded != null).as("accepted at depth %d", depth + 1).isEqualTo(depth + 1 <= JsonDepth.MAX);
      }
    }
  }

  @Test
  void allocationFollowsTheInputNotTheCountsItClaims() {
    for (String text : HostilePackets.mutated()) {
      long before = Allocations.current();
      try {
        Object decoded = fromClient(text);
        if (decoded instanceof BinaryAssembly assembly) {
          assembly.add(new byte[] {1});
        }
      } catch (ProtocolException expected) {
        // the defined answer
      }
      long allocated = Allocations.current() - before;
      assertThat(allocated).as("bytes allocated decoding %s", LogSafe.quote(text))
          .isLessThan(4L * 1024 * 1024 + 256L * text.length());
    }
  }

  @Test
  void liedAttachmentCountsAreRejectedBeforeAnythingIsAllocated() {
    List<String> counts = new ArrayList<>();
    for (int n = -5; n <= 70; n++) {
      counts.add(String.valueOf(n));
    }
    counts.addAll(List.of("1000000000", "999", "0064", "065", "99999999999999999999", "", "1a", "\u0663", "+1", " 1",
        "01", "001"));
    for (String count : counts) {
      for (boolean ack : new boolean[] {false, true}) {
        String text = (ack ? "6" : "5") + count + "-" + (ack ? "1" : "") + "[\"x\",{\"_placeholder\":true,\"num\":0}]";
        long before = Allocations.current();
        Object decoded = decodeOrReject(text);
        long allocated = Allocations.current() - before;
        assertThat(allocated).as("bytes allocated for count %s", count).isLessThan(1024L * 1024);
        // The text has one placeholder: only a count of 1 is true (written as 1, 01 or 001).
        boolean truthful = !count.isEmpty() && count.length() <= 3
            && count.chars().allMatch(c -> c >= '0' && c <= '9') && Integer.parseInt(count) == 1;
        assertThat(decoded != null).as("count %s accepted", count).isEqualTo(truthful);
      }
    }
  }

  @Test
  void encodedPacketsDecodeToThemselves() {
    for (Packet packet : HostilePackets.packets()) {
      WireFrame frame = codec.encode(packet);
      assertThat(frame.text()).startsWith("4");
      Object decoded = fromClient(frame.text().substring(1));
      if (decoded instanceof BinaryAssembly assembly) {
        Packet complete = null;
        for (byte[] attachment : frame.attachments()) {
          assertThat(complete).as("complete before the last attachment").isNull();
          complete = assembly.add(attachment);
        }
        decoded = complete;
      } else {
        assertThat(frame.attachments()).isEmpty();
      }
      assertThat(decoded).as(frame.text()).isInstanceOf(Packet.class);
      WireFrame again = codec.encode((Packet) decoded);
      assertThat(again.text()).isEqualTo(frame.text());
      assertThat(again.attachments()).hasSameSizeAs(frame.attachments());
      for (int i = 0; i < frame.attachments().size(); i++) {
        assertThat(again.attachments().get(i)).isEqualTo(frame.attachments().get(i));
      }
      assertThat(((Packet) decoded).namespace()).isEqualTo(packet.namespace());
    }
  }

  // The packet, or the assembly awaiting attachments, from either case.
  private Object fromClient(String text) {
    Decoded decoded = codec.decode(text, Peer.CLIENT);
    if (decoded instanceof Decoded.Complete complete) {
      return complete.packet();
    }
    return ((Decoded.AwaitingAttachments) decoded).assembly();
  }

  // ---- the check every case makes ----

  /** Decodes within the bound; returns what was decoded (binary frames fed), or null if it was rejected. */
  private @Nullable Object decodeOrReject(String text) {
    return assertTimeoutPreemptively(BOUND, () -> {
      try {
        Object decoded = fromClient(text);
        checkAccepted(text, decoded);
        return decoded;
      } catch (ProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
        return null;
      }
    }, () -> "decoding took longer than " + BOUND + ": " + preview(text));
  }

  private void checkAccepted(String text, Object decoded) {
    assertThat(decoded).isInstanceOfAny(Packet.class, BinaryAssembly.class);
    if (decoded instanceof BinaryAssembly assembly) {
      Packet complete = null;
      for (int i = 0; i < SocketIoCodec.MAX_ATTACHMENTS && complete == null; i++) {
        complete = assembly.add(new byte[] {(byte) i});
      }
      assertThat(complete).as("an assembly completes by its announced count").isNotNull();
      decoded = complete;
    }
    Packet packet = (Packet) decoded;
    assertThat(packet.namespace()).startsWith("/");
    Long id = packet instanceof Packet.Event event ? event.ackId()
        : packet instanceof Packet.Ack ack ? Long.valueOf(ack.id()) : null;
    if (id != null) {
      // An id is the digits the client sent, not a reading of other characters or an overflow.
      assertThat(id).isNotNegative();
      assertThat(text).contains(Long.toString(id));
    }
    // What the server accepted it can send on, even wrapped twice by an application.
    if (packet instanceof Packet.Event event) {
      ArrayNode args = NODES.arrayNode();
      event.args().forEach(args::add);
      ObjectNode wrapped = NODES.objectNode();
      wrapped.set("from", NODES.objectNode().set("args", args));
      codec.encode(new Packet.Event("/", "relay", List.of(wrapped), 1L, null));
    }
  }

  /** Every packet type, with and without attachment counts (true, lying, absurd), namespaces and ids. */
  private static List<String> headers() {
    List<String> out = new ArrayList<>();
    String[] attachments = {"", "1-", "0-", "65-", "1000000000-"};
    String[] namespaces = {"", "/,", "/admin,", "/\u00e9,", "/" + "n".repeat(200) + ","};
    String[] ids = {"", "0", "12", "9223372036854775807", "9223372036854775808", "1".repeat(30)};
    for (int type = 0; type <= 9; type++) {
      for (int k = 0; k < attachments.length * namespaces.length; k++) {
        out.add(type + attachments[k % attachments.length] + namespaces[k / attachments.length]
            + ids[k % ids.length]);
      }
    }
    return out;
  }

  private static String preview(String text) {
    return LogSafe.text(text);
  }
}
