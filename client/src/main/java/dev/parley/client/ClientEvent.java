package dev.parley.client;

import dev.parley.protocol.Arguments;
import org.jspecify.annotations.Nullable;

/**
 * An event the server sent to a {@link ParleyClient}: its name, its JSON arguments (binary ones as
 * {@code BinaryNode}s, read with {@link #bytes(int)}), and the means to answer the server's
 * {@code emitWithAck}. Handed to a {@link ClientEventHandler} on the client's event thread; it may be
 * kept and answered later from any thread.
 *
 * <pre>{@code
 * client.on("question", event -> event.ack("42"));
 * client.on("chat", event -> show(event.arg(0, ChatLine.class)));
 * }</pre>
 */
public interface ClientEvent extends Arguments {

  /**
   * The event name.
   *
   * @return the name the server emitted
   */
  String name();

  /**
   * The id of the stored message this event delivers, when the server posted it ({@code room.post}): the
   * id SSE carries as the event's {@code id:} and the offset a Socket.IO server appends for connection
   * state recovery. The same message has the same id whichever transport delivers it.
   *
   * @return the message id, or null for an ephemeral emit (or a WebSocket server without recovery)
   */
  @Nullable String messageId();

  /**
   * Whether the server asked for an acknowledgement ({@code channel.emitWithAck}).
   *
   * @return true if {@link #ack(Object...)} will reach the server
   */
  boolean wantsAck();

  /**
   * Answers the server's {@code emitWithAck} with the given arguments: JSON-serialisable values,
   * {@code JsonNode}s, or {@code byte[]} (sent as binary attachments). Does nothing if the server did not
   * ask for an ack, or if the connection the event came on is gone (an ack belongs to one connection).
   * Does not block; may be called from any thread, once.
   *
   * @param args the reply's arguments
   * @throws IllegalStateException if the ack was already sent
   * @throws IllegalArgumentException if an argument cannot be serialised to JSON
   */
  void ack(Object... args);
}
