package dev.parley.spi;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** Serves transports (and static files) on a port. */
public interface Host {

  /** Mounts the transports and starts listening; completes once bound. */
  Mono<Void> start(List<Transport> transports, ProviderContext context);

  /** Stops accepting connections; closes the rest within {@code timeout}. */
  Mono<Void> stop(Duration timeout);

  /** The bound address, once started. */
  Optional<InetSocketAddress> address();
}
