package dev.parley.host.jetty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.IO;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open TCP connections per remote IP address, within {@link JettyHostConfig#maxConnectionsPerAddress()},
 * counted when the connector accepts a connection, before any byte is read: a connection from an
 * address that already holds the limit is closed at once, before Jetty makes an endpoint for it.
 *
 * <p>Listens to the connector's selector manager, the way Jetty's own {@code NetworkConnectionLimit}
 * does: every accepted channel is reported once as {@link #onAccepting}, then either as
 * {@link #onAcceptFailed} (a refused channel among them, since it is closed) or as open until
 * {@link #onClosed}. The channels holding a place are remembered with their address, so a place is
 * given back exactly once whichever way the channel ends, and an address holding none has no entry.
 */
final class AddressConnectionLimit implements SelectorManager.AcceptListener {
  private static final Logger log = LoggerFactory.getLogger(AddressConnectionLimit.class);

  private final int max;
  private final TrustedProxies proxies;
  private final ConcurrentHashMap<String, Held> perAddress = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SelectableChannel, String> holding = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();

  /**
   * @param proxies addresses not held to the limit: a trusted reverse proxy carries many clients' connections,
   *     each of which the transports count by the client's forwarded address
   */
  AddressConnectionLimit(int max, TrustedProxies proxies) {
    this.max = max;
    this.proxies = proxies;
  }

  /** Takes a place for the channel's address, or closes the channel if the address has none left. */
  @Override
  public void onAccepting(SelectableChannel channel) {
    String address = address(channel);
    if (address == null || proxies.trusts(address)) {
      return;
    }
    boolean[] admitted = {false};
    Held held = perAddress.compute(address, (key, now) -> {
      if (now != null && now.count() >= max) {
        return now;
      }
      admitted[0] = true;
      return now == null ? new Held(key, 1) : new Held(now.address(), now.count() + 1);
    });
    if (admitted[0]) {
      // The address its count keeps: one String per address held, not one per connection.
      holding.put(channel, held.address());
      return;
    }
    refused.increment();
    log.debug("{} holds {} TCP connections, the limit: connection closed", address, max);
    // Jetty then fails to register the closed channel and reports it to onAcceptFailed.
    IO.close(channel);
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    release(channel);
  }

  @Override
  public void onClosed(SelectableChannel channel) {
    release(channel);
  }

  private void release(SelectableChannel channel) {
    String address = holding.remove(channel);
    if (address != null) {
      perAddress.computeIfPresent(address, (key, held) -> held.count() > 1 ? new Held(held.address(), held.count() - 1)
          : null);
    }
  }

  /** The remote IP address of an accepted socket, or null if it has none (then it is not counted). */
  private static @Nullable String address(SelectableChannel channel) {
    // From the channel, not its socket() view: the channel would keep that adaptor for the connection's life.
    if (channel instanceof SocketChannel socket) {
      try {
        if (socket.getRemoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
          return remote.getAddress().getHostAddress();
        }
      } catch (IOException e) {
        // Closed already: nothing to count.
        return null;
      }
    }
    return null;
  }

  /** The connections each address holds now; addresses holding none are absent. */
  Map<String, Integer> connections() {
    Map<String, Integer> counts = new HashMap<>();
    perAddress.forEach((address, held) -> counts.put(address, held.count()));
    return Map.copyOf(counts);
  }

  /** The connections refused so far. */
  long refused() {
    return refused.sum();
  }

  /** An address's connections: the address as first seen (kept for each of them) and how many. */
  private record Held(String address, int count) {
  }
}
