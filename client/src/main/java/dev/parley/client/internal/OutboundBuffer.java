package dev.parley.client.internal;

import dev.parley.error.LimitExceededException;

/**
 * The bound on what the application's emits hold in one link's write queue, in packets and bytes
 * ({@code outboundBufferSize}, {@code outboundBufferBytes}): a link takes room before it queues an emitted
 * packet and gives it back once the packet leaves the queue (written to the socket, posted). A packet that
 * finds the buffer empty always fits, however large, so that one large packet can still go out alone.
 *
 * <p>Thread-safe: emits take room from the application's threads, the link's writer gives it back.
 */
final class OutboundBuffer {
  private final int maxPackets;
  private final long maxBytes;
  // Guarded by this.
  private int packets;
  private long bytes;

  OutboundBuffer(int maxPackets, long maxBytes) {
    this.maxPackets = maxPackets;
    this.maxBytes = maxBytes;
  }

  /**
   * Takes room for one packet of {@code size} bytes.
   *
   * @throws LimitExceededException ({@code outboundBufferSize} or {@code outboundBufferBytes}) if it does not
   *     fit; nothing is taken
   */
  synchronized void take(long size) {
    if (packets >= maxPackets) {
      throw new LimitExceededException("outboundBufferSize", maxPackets);
    }
    if (packets > 0 && bytes + size > maxBytes) {
      throw new LimitExceededException("outboundBufferBytes", maxBytes);
    }
    packets++;
    bytes += size;
  }

  /** Gives back the room of one packet of {@code size} bytes that left the queue. */
  synchronized void release(long size) {
    packets--;
    bytes -= size;
  }

  /** Packets in the buffer now. */
  synchronized int packets() {
    return packets;
  }
}
