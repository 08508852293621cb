package dev.parley.spring.boot.autoconfigure;

import dev.parley.ChatServer;
import dev.parley.ServerStats;
import dev.parley.spi.Store;
import dev.parley.spi.StoreHealth;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code parley} health component: down while the server is not running, or when its store says it is
 * down ({@link Store#health()}: for MongoDB, the server does not answer a ping, or a change stream has stopped
 * following) or does not answer within {@value #TIMEOUT_SECONDS} s; up otherwise, with the store's details (for
 * MongoDB the bus lag among them) and the node's session and channel counts. Thread-safe.
 */
public class ParleyHealthIndicator extends AbstractHealthIndicator {
  static final long TIMEOUT_SECONDS = 3;

  private final ChatServer server;
  private final Store store;

  /**
   * @param server the server to report on
   * @param store the store {@code server} was built with
   */
  public ParleyHealthIndicator(ChatServer server, Store store) {
    super("Parley health check failed");
    this.server = server;
    this.store = store;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("nodeId", server.config().nodeId());
    if (!server.isRunning()) {
      builder.down().withDetail("server", "not running");
      return;
    }
    ServerStats stats = server.stats();
    builder.withDetail("sessions", stats.sessions()).withDetail("channels", stats.channels());
    StoreHealth health;
    try {
      health = store.health().timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
          .blockOptional(Duration.ofSeconds(TIMEOUT_SECONDS + 1))
          .orElse(StoreHealth.down(Map.of("error", "no answer")));
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() instanceof TimeoutException ? e.getCause() : e;
      builder.down().withDetail("store", Map.of("error", String.valueOf(cause)));
      return;
    }
    builder.status(health.up() ? Status.UP : Status.DOWN).withDetail("store", health.details());
  }
}
