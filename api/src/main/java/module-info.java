/**
 * Parley's public API: the chat model ({@link dev.parley.ChatServer}, {@link dev.parley.Namespace},
 * {@link dev.parley.Channel}, {@link dev.parley.Room}), the SPIs that transports, stores and hosts
 * implement ({@code dev.parley.spi}), and the engine behind them.
 */
module dev.parley {
  requires transitive dev.parley.protocol;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires transitive tools.jackson.databind;
  requires transitive org.slf4j;
  requires static org.jspecify;

  exports dev.parley;
  exports dev.parley.spi;

  uses dev.parley.spi.TransportProvider;
  uses dev.parley.spi.StoreProvider;
  uses dev.parley.spi.HostProvider;
}
