package dev.parley.spi;

import java.util.Objects;

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
      Object[] grown = java.util.Arrays.copyOf(pairs, pairs.length + 2);
      grown[pairs.length] = encoder;
      grown[pairs.length + 1] = frame;
      cache = grown;
      return frame;
    }
  }

  @Override
  public String toString() {
    return "Outgoing[" + packet + "]";
  }
}
