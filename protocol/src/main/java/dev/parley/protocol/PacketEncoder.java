package dev.parley.protocol;


/**
 * Turns a packet into a transport's wire frame (a Socket.IO text and its attachments, an SSE block).
 * Used through {@link Outgoing#encoded(PacketEncoder)}, which calls it at most once per packet and
 * encoder; a transport keeps one instance for its lifetime. Must be thread-safe.
 *
 * @param <F> the frame type
 */
@FunctionalInterface
public interface PacketEncoder<F> {
  F encode(Packet packet);
}
