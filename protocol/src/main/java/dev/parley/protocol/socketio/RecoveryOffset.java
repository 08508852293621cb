package dev.parley.protocol.socketio;

import dev.parley.protocol.Packet;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The connection state recovery slot: the last argument a server adds to every event without an ack on a
 * namespace with recovery on. socket.io-client takes the last argument of such an event, if it is a string,
 * for its offset. A posted message gets its id there; an emit whose last argument is a string gets a null
 * after it, so that string is not mistaken for an offset, and so does one whose last argument is null, so that
 * a client can always drop a trailing string or null as the slot. The server's {@link SocketIoCodec} adds the
 * slot ({@link #add}) and a client removes it ({@link #take}); both live here so they cannot drift apart.
 *
 * @param args the event's arguments without the slot, as the application sent them
 * @param offset the offset the slot held (the posted message's id), or null if it held none
 */
public record RecoveryOffset(List<JsonNode> args, @Nullable String offset) {
  public RecoveryOffset {
    Objects.requireNonNull(args, "args");
  }

  /**
   * Appends the slot for {@code event} to its encoded arguments, {@code array}: the message id, a null, or
   * nothing (see the class comment). Called only for a recoverable event without an ack id.
   */
  static void add(ArrayNode array, Packet.Event event) {
    if (event.messageId() != null) {
      array.add(event.messageId());
    } else if (!event.args().isEmpty()) {
      JsonNode last = event.args().get(event.args().size() - 1);
      if (last.isString() || last.isNull()) {
        array.addNull();
      }
    }
  }

  /**
   * Removes the slot from an event a client received on a namespace with recovery on: a trailing string is
   * the offset, a trailing null an empty slot; anything else is the application's own last argument (the slot
   * was left out, as {@link #add} does when it could not be mistaken). An event with an ack id never has one.
   * Pure; safe from any thread.
   *
   * @param event the event as decoded from the server
   * @return the application's arguments (a view of the event's list, not a copy) and the offset, if any
   */
  public static RecoveryOffset take(Packet.Event event) {
    List<JsonNode> args = event.args();
    if (event.ackId() != null || args.isEmpty()) {
      return new RecoveryOffset(args, null);
    }
    JsonNode last = args.get(args.size() - 1);
    if (!last.isString() && !last.isNull()) {
      return new RecoveryOffset(args, null);
    }
    return new RecoveryOffset(args.subList(0, args.size() - 1), last.isString() ? last.asString() : null);
  }
}
