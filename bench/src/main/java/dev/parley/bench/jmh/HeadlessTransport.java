package dev.parley.bench.jmh;

import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import reactor.core.publisher.Mono;

/**
 * A transport with no network and no host: it keeps the engine's context, so a benchmark can open sessions
 * itself, or open none when it only posts through the server.
 */
public final class HeadlessTransport implements Transport {
  /** The engine's context, once started. */
  public volatile TransportContext context;

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public boolean requiresHost() {
    return false;
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    this.context = context;
    return Mono.empty();
  }

  @Override
  public Mono<Void> stop() {
    return Mono.empty();
  }
}
