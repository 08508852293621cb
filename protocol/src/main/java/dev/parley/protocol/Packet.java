package dev.parley.protocol;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The engine's packet model, which every transport decodes its wire format into and encodes back from.
 * It is Socket.IO's packet set: the same records travel in both directions.
 */
public sealed interface Packet {

  /** The namespace the packet belongs to. */
  String namespace();

  /**
   * Client to server: join a namespace, with an auth payload (or null); a client resuming a channel by
   * connection state recovery adds {@code "pid"} (the private id it was given) and {@code "offset"} (the
   * id of the last posted message it received) to it. Server to client: the join succeeded; {@code data}
   * is {@code {"sid": channelId}}, plus {@code "pid": privateId} when the namespace has recovery on for
   * the connection. Recovered or not, the client learns it by whether the pid is the one it presented.
   */
  record Connect(String namespace, @Nullable JsonNode data) implements Packet {
    public Connect {
      Objects.requireNonNull(namespace, "namespace");
    }
  }

  /**
   * Server to client: the join was refused, with a message and optional data. The {@code refusal} says why,
   * for transports that answer differently by kind (an HTTP status); the Socket.IO wire format does not
   * carry it.
   */
  record ConnectError(String namespace, Refusal refusal, String message, @Nullable JsonNode data)
      implements Packet {
    public ConnectError {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(refusal, "refusal");
      Objects.requireNonNull(message, "message");
    }

    /** A refusal by middleware: {@link Refusal#REJECTED}. */
    public ConnectError(String namespace, String message, @Nullable JsonNode data) {
      this(namespace, Refusal.REJECTED, message, data);
    }
  }

  /**
   * An event, in either direction.
   *
   * @param ackId the id the receiver acknowledges with, or null when no ack is wanted
   * @param messageId the id of the stored message this event delivers, or null for an ephemeral emit
   * @param recoverable server to client: the namespace has connection state recovery on, so a transport
   *     whose clients track offsets in the event's arguments (Socket.IO) adds the {@code messageId} as the
   *     last argument of an event without {@code ackId}; the same for every receiver of the packet
   */
  record Event(String namespace, String name, List<JsonNode> args, @Nullable Long ackId,
               @Nullable String messageId, boolean recoverable) implements Packet {
    public Event {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
      args = List.copyOf(args);
    }

    /** An event that is not {@linkplain #recoverable() recoverable}. */
    public Event(String namespace, String name, List<JsonNode> args, @Nullable Long ackId,
                 @Nullable String messageId) {
      this(namespace, name, args, ackId, messageId, false);
    }
  }

  /** The acknowledgement of the event that carried {@code id}. */
  record Ack(String namespace, long id, List<JsonNode> args) implements Packet {
    public Ack {
      Objects.requireNonNull(namespace, "namespace");
      args = List.copyOf(args);
    }
  }

  /** Leave a namespace (client to server), or be removed from it (server to client). */
  record Disconnect(String namespace) implements Packet {
    public Disconnect {
      Objects.requireNonNull(namespace, "namespace");
    }
  }

  /**
   * Server to client only: a frame of the transport's own protocol that carries no Socket.IO packet (an
   * Engine.IO pong or noop), queued by {@link Session#sendControl} so that it goes through the connection's
   * bounded outbound buffer and leaves in order with the packets. Its namespace is empty; encoders that have
   * no such frames write nothing for it.
   */
  record Control(String frame) implements Packet {
    public Control {
      Objects.requireNonNull(frame, "frame");
    }

    @Override
    public String namespace() {
      return "";
    }
  }
}
