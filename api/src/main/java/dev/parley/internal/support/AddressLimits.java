package dev.parley.internal.support;

import dev.parley.spi.Admission;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Connections held per remote address, within {@code maxConnectionsPerAddress}; an address holding none
 * has no entry, so addresses that come and go leave nothing behind.
 */
public final class AddressLimits {
  private final int max;
  private final Map<String, Integer> held = new ConcurrentHashMap<>();

  public AddressLimits(int max) {
    this.max = max;
  }

  /** A place for one more connection from {@code address}, or empty if it holds {@code max} already. */
  public Optional<Admission> admit(String address) {
    boolean[] admitted = new boolean[1];
    held.compute(address, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return count;
      }
      admitted[0] = true;
      return now + 1;
    });
    return admitted[0] ? Optional.of(new Place(address)) : Optional.empty();
  }

  /** Connections {@code address} holds now. */
  public int held(String address) {
    return held.getOrDefault(address, 0);
  }

  /** Addresses holding at least one connection. */
  public int addresses() {
    return held.size();
  }

  private final class Place implements Admission {
    private final String address;
    private final AtomicBoolean released = new AtomicBoolean();

    Place(String address) {
      this.address = address;
    }

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        held.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
      }
    }

    @Override
    public String toString() {
      return "Admission[" + address + (released.get() ? ", released]" : "]");
    }
  }
}
