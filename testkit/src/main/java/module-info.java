/**
 * Parley's test kit: the in-process transport and client, and the contract suites. It provides nothing for
 * discovery: a server uses the in-process transport only when given one ({@code builder.transport(new
 * InProcessTransport())}), so adding the kit never changes what a server starts with.
 */
module dev.parley.test {
  requires transitive dev.parley;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires transitive reactor.test;
  requires static org.jspecify;

  exports dev.parley.test;
  // The contract suites are JUnit classes with package-private nested groups, run by reflection from the
  // implementer's module.
  opens dev.parley.test to org.junit.platform.commons;
}
