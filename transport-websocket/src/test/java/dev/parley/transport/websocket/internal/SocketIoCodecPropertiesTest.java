package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.BinaryAssembly;
import dev.parley.protocol.socketio.Decoded;
import dev.parley.protocol.socketio.Peer;
import dev.parley.protocol.socketio.ProtocolException;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parley.protocol.JsonDepth;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Packet;
import dev.parley.testsupport.HostilePackets;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Properties of the Socket.IO decoder over random text, random JSON and mutations of valid packets: it
 * returns a packet (or a binary assembly) or throws {@link ProtocolException}, nothing else; it never
 * takes long; it allocates in proportion to its input, never to a number the input claims; and what it
 * accepts the server can send on again. Valid packets survive an encode/decode round trip.
 */
class SocketIoCodecPropertiesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static final Method ALLOCATED = allocationCounter();
  private static final Object THREADS = threadBean();

  private final SocketIoCodec codec = new SocketIoCodec(MAPPER);

  // ---- properties ----

  @Property
  void randomTextDecodesOrIsRejected(@ForAll("randomText") String text) {
    decodeOrReject(text);
  }

  @Property
  void randomJsonAfterARandomHeaderDecodesOrIsRejected(@ForAll("headers") String header,
                                                       @ForAll("anyJson") JsonNode json) {
    decodeOrReject(header + MAPPER.writeValueAsString(json));
  }

  @Property
  void mutatedPacketsDecodeOrAreRejected(@ForAll("mutatedPackets") String text) {
    decodeOrReject(text);
  }

  @Property(tries = 200)
  void nestingIsBoundedWhateverTheDepth(@ForAll @IntRange(min = 1, max = 5_000) int depth,
                                        @ForAll boolean objects) {
    String open = objects ? "{\"a\":" : "[";
    String close = objects ? "}" : "]";
    String text = "2[\"deep\"," + open.repeat(depth) + "1" + close.repeat(depth) + "]";
    Object decoded = decodeOrReject(text);
    assertThat(decoded != null).as("accepted at depth %d", depth + 1).isEqualTo(depth + 1 <= JsonDepth.MAX);
  }

  @Property(tries = 300)
  void allocationFollowsTheInputNotTheCountsItClaims(@ForAll("mutatedPackets") String text) {
    long before = allocatedBytes();
    try {
      Object decoded = fromClient(text);
      if (decoded instanceof BinaryAssembly assembly) {
        assembly.add(new byte[] {1});
      }
    } catch (ProtocolException expected) {
      // the defined answer
    }
    long allocated = allocatedBytes() - before;
    assertThat(allocated).as("bytes allocated decoding %d chars", text.length())
        .isLessThan(4L * 1024 * 1024 + 256L * text.length());
  }

  @Property(tries = 300)
  void liedAttachmentCountsAreRejectedBeforeAnythingIsAllocated(
      @ForAll("attachmentCounts") String count, @ForAll boolean ack) {
    String text = (ack ? "6" : "5") + count + "-" + (ack ? "1" : "") + "[\"x\",{\"_placeholder\":true,\"num\":0}]";
    long before = allocatedBytes();
    Object decoded = decodeOrReject(text);
    long allocated = allocatedBytes() - before;
    assertThat(allocated).isLessThan(1024L * 1024);
    // The text has one placeholder: only a count of 1 is true (written as 1, 01 or 001).
    boolean truthful = !count.isEmpty() && count.length() <= 3 && count.chars().allMatch(c -> c >= '0' && c <= '9')
        && Integer.parseInt(count) == 1;
    assertThat(decoded != null).as("count %s accepted", count).isEqualTo(truthful);
  }

  @Property
  void encodedPacketsDecodeToThemselves(@ForAll("packets") Packet packet) {
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
    assertThat(decoded).isInstanceOf(Packet.class);
    WireFrame again = codec.encode((Packet) decoded);
    assertThat(again.text()).isEqualTo(frame.text());
    assertThat(again.attachments()).hasSameSizeAs(frame.attachments());
    for (int i = 0; i < frame.attachments().size(); i++) {
      assertThat(again.attachments().get(i)).isEqualTo(frame.attachments().get(i));
    }
    assertThat(((Packet) decoded).namespace()).isEqualTo(packet.namespace());
  }

  // The packet, or the assembly awaiting attachments: what the properties below inspect, from either case.
  private Object fromClient(String text) {
    Decoded decoded = codec.decode(text, Peer.CLIENT);
    if (decoded instanceof Decoded.Complete complete) {
      return complete.packet();
    }
    return ((Decoded.AwaitingAttachments) decoded).assembly();
  }

  // ---- the check every property makes ----

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

  // ---- generators ----

  @Provide
  Arbitrary<String> randomText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().withChars(HostilePackets.TRICKY).ofMaxLength(300),
        Arbitraries.strings().withChars(HostilePackets.TRICKY).ofMaxLength(40).map(s -> "2" + s),
        Arbitraries.strings().withChars(HostilePackets.TRICKY).ofMaxLength(40).map(s -> "5" + s));
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> type = Arbitraries.integers().between(0, 9).map(String::valueOf);
    Arbitrary<String> attachments = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.integers().between(0, 1_000_000_000).map(n -> n + "-"));
    Arbitrary<String> namespace = Arbitraries.oneOf(Arbitraries.just(""), HostilePackets.namespaces().map(ns -> ns + ","));
    Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.longs().greaterOrEqual(0).map(String::valueOf),
        Arbitraries.strings().numeric().ofMinLength(19).ofMaxLength(30));
    return Combinators.combine(type, attachments, namespace, id).as((t, a, n, i) -> t + a + n + i);
  }

  /** JSON trees some of whose objects look like binary placeholders. */
  @Provide
  Arbitrary<JsonNode> anyJson() {
    return HostilePackets.json(3, true);
  }

  @Provide
  Arbitrary<Packet> packets() {
    return HostilePackets.packets();
  }

  @Provide
  Arbitrary<String> mutatedPackets() {
    return HostilePackets.mutated();
  }

  @Provide
  Arbitrary<String> attachmentCounts() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(-5, 70).map(String::valueOf),
        Arbitraries.of("1000000000", "999", "0064", "065", "99999999999999999999", "", "1a", "\u0663", "+1", " 1"));
  }

  /** HotSpot's per-thread allocation counter (com.sun.management), looked up reflectively. */
  private static Method allocationCounter() {
    try {
      return Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("needs a HotSpot JVM", e);
    }
  }

  private static Object threadBean() {
    try {
      // Reflectively, like the counter: the module under test does not read java.management.
      return Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes this thread has allocated so far. */
  private static long allocatedBytes() {
    try {
      return (Long) ALLOCATED.invoke(THREADS);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String preview(String text) {
    return LogSafe.text(text);
  }
}
