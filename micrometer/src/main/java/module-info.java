/** Micrometer meters for a Parley {@link dev.parley.ChatServer}: see {@link dev.parley.micrometer.ParleyMetrics}. */
module dev.parley.micrometer {
  requires transitive dev.parley;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports dev.parley.micrometer;
}
