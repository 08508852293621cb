package dev.parley.host.jetty;

import dev.parley.spi.Host;
import dev.parley.spi.HostProvider;
import dev.parley.spi.ProviderContext;

/**
 * Provides the {@code "jetty"} host with {@linkplain JettyHostConfig#defaults() default settings} (no
 * static files). For other settings, give the server a host of your own:
 * {@code ChatServer.builder().host(new JettyHost(config))}.
 */
public final class JettyHostProvider implements HostProvider {
  /** The host's name. */
  public static final String NAME = "jetty";

  /** Cheap: the host is made by {@link #create}. */
  public JettyHostProvider() {
  }

  @Override
  public String name() {
    return NAME;
  }

  /** A new, not yet started {@link JettyHost} with the default settings. */
  @Override
  public Host create(ProviderContext context) {
    return new JettyHost(JettyHostConfig.defaults());
  }
}
