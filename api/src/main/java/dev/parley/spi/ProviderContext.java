package dev.parley.spi;

import dev.parley.ChatServerConfig;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the server hands a provider when it creates a component: the server's config, JSON mapper and
 * timer scheduler.
 */
public interface ProviderContext {

  /** The server's config. */
  ChatServerConfig config();

  /** The JSON mapper the server converts arguments with. */
  JsonMapper jsonMapper();

  /** The scheduler for timers; virtual time in tests. */
  Scheduler scheduler();
}
