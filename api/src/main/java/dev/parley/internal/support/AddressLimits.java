package dev.parley.internal.support;

import dev.parley.spi.Admission;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections held per remote address, within {@code maxConnectionsPerAddress}; an address holding none
 * has no entry, so addresses that come and go leave nothing behind.
 */
public final class AddressLimits {
  private final int max;
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  public AddressLimits(int max) {
    this.max = max;
  }

  /** A place for one more connection from {@code address}, or empty if it holds {@code max} already. */
  public Optional<Admission> admit(String address) {
    boolean[] admitted = new boolean[1];
    Held now = held.compute(address, (key, count) -> {
      if (count != null && count.count() >= max) {
        return count;
      }
      admitted[0] = true;
      return count == null ? new Held(key, 1) : new Held(count.address(), count.count() + 1);
    });
    // The place keeps the address its count keeps: one String per address held, not one per connection.
    return admitted[0] ? Optional.of(new Place(now.address())) : Optional.empty();
  }

  /** Connections {@code address} holds now. */
  public int held(String address) {
    Held now = held.get(address);
    return now == null ? 0 : now.count();
  }

  /** Addresses holding at least one connection. */
  public int addresses() {
    return held.size();
  }

  // A flag in the place rather than an AtomicBoolean beside it: every connection holds a place.
  private static final VarHandle RELEASED = Handles.field(MethodHandles.lookup(), Place.class, "released",
      boolean.class);

  private final class Place implements Admission {
    private final String address;
    private volatile boolean released;

    Place(String address) {
      this.address = address;
    }

    @Override
    public void release() {
      if (RELEASED.compareAndSet(this, false, true)) {
        held.computeIfPresent(address, (key, count) -> count.count() <= 1 ? null
            : new Held(count.address(), count.count() - 1));
      }
    }

    @Override
    public String toString() {
      return "Admission[" + address + (released ? ", released]" : "]");
    }
  }

  /** An address's connections: the address as first seen (kept by each of their places) and how many. */
  private record Held(String address, int count) {
  }
}
