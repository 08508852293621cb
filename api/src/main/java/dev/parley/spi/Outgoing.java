package dev.parley.spi;

import dev.parley.protocol.Packet;
import dev.parley.protocol.PacketEncoder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A packet on its way to one or many connections, with its encodings cached: a broadcast to N channels
 * is one {@code Outgoing}, encoded once per wire format however many connections it is written to.
 * Thread-safe.
 */
public final class Outgoing {
  private static final Object[] EMPTY = new Object[0];

  private final Packet packet;
  // Pairs of (encoder, frame); replaced wholesale under the lock so readers need no lock.
  private volatile Object[] cache = EMPTY;
  // Computed on first use; racing threads compute the same number.
  private volatile long estimatedSize = -1;

  public Outgoing(Packet packet) {
    this.packet = Objects.requireNonNull(packet, "packet");
  }

  /** The packet. */
  public Packet packet() {
    return packet;
  }

  /**
   * The packet as {@code encoder} encodes it: computed on first call for that encoder, then shared.
   *
   * @throws RuntimeException whatever the encoder throws
   */
  @SuppressWarnings("unchecked")
  public <F> F encoded(PacketEncoder<F> encoder) {
    Object[] pairs = cache;
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i] == encoder) {
        return (F) pairs[i + 1];
      }
    }
    synchronized (this) {
      pairs = cache;
      for (int i = 0; i < pairs.length; i += 2) {
        if (pairs[i] == encoder) {
          return (F) pairs[i + 1];
        }
      }
      F frame = Objects.requireNonNull(encoder.encode(packet), "encoder returned null");
      Object[] grown = Arrays.copyOf(pairs, pairs.length + 2);
      grown[pairs.length] = encoder;
      grown[pairs.length + 1] = frame;
      cache = grown;
      return frame;
    }
  }

  /**
   * What the packet holds once encoded, estimated without encoding it: the characters of its strings and
   * names, the bytes of its binary values, and a few bytes per value for the JSON around them. Computed once,
   * then shared; for transports whose {@link Connection#weigh} cannot do better.
   */
  public long estimatedSize() {
    long size = estimatedSize;
    if (size < 0) {
      size = 16 + packet.namespace().length() + bodySize(packet);
      estimatedSize = size;
    }
    return size;
  }

  private static long bodySize(Packet packet) {
    if (packet instanceof Packet.Event event) {
      return event.name().length() + sizeOf(event.args());
    } else if (packet instanceof Packet.Ack ack) {
      return sizeOf(ack.args());
    } else if (packet instanceof Packet.Connect connect) {
      return connect.data() == null ? 0 : sizeOf(connect.data());
    } else if (packet instanceof Packet.ConnectError error) {
      return error.message().length() + (error.data() == null ? 0 : sizeOf(error.data()));
    } else if (packet instanceof Packet.Control control) {
      return control.frame().length();
    }
    return 0;
  }

  private static long sizeOf(List<JsonNode> values) {
    long size = 2;
    for (JsonNode value : values) {
      size += 1 + sizeOf(value);
    }
    return size;
  }

  private static long sizeOf(JsonNode node) {
    if (node.isString()) {
      return 2 + node.stringValue().length();
    }
    if (node.isBinary()) {
      return 32 + node.binaryValue().length;
    }
    if (node.isObject()) {
      long size = 2;
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        size += 4 + field.getKey().length() + sizeOf(field.getValue());
      }
      return size;
    }
    if (node.isArray()) {
      long size = 2;
      for (JsonNode child : node.values()) {
        size += 1 + sizeOf(child);
      }
      return size;
    }
    return 8;
  }

  @Override
  public String toString() {
    return "Outgoing[" + packet + "]";
  }
}
