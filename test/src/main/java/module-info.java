/** Parley's test kit: the in-process transport and client, and the contract suites. */
module dev.parley.test {
  requires transitive dev.parley;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires transitive reactor.test;
  requires static org.jspecify;

  exports dev.parley.test;

  provides dev.parley.spi.TransportProvider with dev.parley.test.InProcessTransportProvider;
}
