package dev.parley.client.internal;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.glassfish.tyrus.core.ExecutorServiceProvider;

/**
 * The container Tyrus hands to the client's WebSocket sessions, for their defaults and their timers.
 * Tyrus would start its own pools for those timers (up to ten threads per client, not named for it, ended
 * lazily); the client gives it one timer thread of its own instead, which {@code close()} ends with the
 * rest. Connecting goes to the real Tyrus client.
 */
final class SessionContainer extends ExecutorServiceProvider implements WebSocketContainer {
  private final ScheduledExecutorService timers;
  private volatile WebSocketContainer delegate;
  private volatile long asyncSendTimeout;
  private volatile long maxSessionIdleTimeout;
  private volatile int maxBinaryMessageBufferSize = Integer.MAX_VALUE;
  private volatile int maxTextMessageBufferSize = Integer.MAX_VALUE;

  SessionContainer(ScheduledExecutorService timers) {
    this.timers = timers;
    this.delegate = this;
  }

  /** Sets the container that does the work; once, right after the Tyrus client is made. */
  void delegateTo(WebSocketContainer container) {
    this.delegate = container;
  }

  @Override
  public ExecutorService getExecutorService() {
    return timers;
  }

  @Override
  public ScheduledExecutorService getScheduledExecutorService() {
    return timers;
  }

  // The Tyrus client asks this container for its defaults (and would recurse if it asked back): these are
  // Tyrus's own defaults.

  @Override
  public long getDefaultAsyncSendTimeout() {
    return asyncSendTimeout;
  }

  @Override
  public void setAsyncSendTimeout(long timeout) {
    this.asyncSendTimeout = timeout;
  }

  @Override
  public Session connectToServer(Object endpoint, URI path) throws DeploymentException, IOException {
    return delegate.connectToServer(endpoint, path);
  }

  @Override
  public Session connectToServer(Class<?> endpoint, URI path) throws DeploymentException, IOException {
    return delegate.connectToServer(endpoint, path);
  }

  @Override
  public Session connectToServer(Endpoint endpoint, ClientEndpointConfig config, URI path)
      throws DeploymentException, IOException {
    return delegate.connectToServer(endpoint, config, path);
  }

  @Override
  public Session connectToServer(Class<? extends Endpoint> endpoint, ClientEndpointConfig config, URI path)
      throws DeploymentException, IOException {
    return delegate.connectToServer(endpoint, config, path);
  }

  @Override
  public long getDefaultMaxSessionIdleTimeout() {
    return maxSessionIdleTimeout;
  }

  @Override
  public void setDefaultMaxSessionIdleTimeout(long timeout) {
    this.maxSessionIdleTimeout = timeout;
  }

  @Override
  public int getDefaultMaxBinaryMessageBufferSize() {
    return maxBinaryMessageBufferSize;
  }

  @Override
  public void setDefaultMaxBinaryMessageBufferSize(int max) {
    this.maxBinaryMessageBufferSize = max;
  }

  @Override
  public int getDefaultMaxTextMessageBufferSize() {
    return maxTextMessageBufferSize;
  }

  @Override
  public void setDefaultMaxTextMessageBufferSize(int max) {
    this.maxTextMessageBufferSize = max;
  }

  @Override
  public Set<Extension> getInstalledExtensions() {
    return Set.of();
  }
}
