package dev.parley.client.internal;

import dev.parley.error.TransportException;
import dev.parley.protocol.socketio.SocketIoCodec;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;
import org.glassfish.tyrus.core.HandshakeException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Socket.IO v5 over Engine.IO v4 on WebSocket, on a Tyrus client of the client's own: its session timers
 * on one thread of the client's, and per connection a Grizzly transport with two workers named by the
 * client and one selector thread in the client's thread group.
 */
final class WebSocketConnector extends Connector {
  private final SocketIoCodec codec;
  private final JsonMapper mapper;
  private final ClientThreads threads;
  private final ScheduledThreadPoolExecutor websocketTimers;
  private final ClientManager tyrus;
  private final int outboundBufferSize;
  private final long outboundBufferBytes;

  WebSocketConnector(ClientConfig settings, ClientThreads threads) {
    super(settings.webSocketEndpoint(), "CONNECT answer");
    this.mapper = settings.jsonMapper();
    this.codec = new SocketIoCodec(mapper);
    this.threads = threads;
    this.outboundBufferSize = settings.outboundBufferSize();
    this.outboundBufferBytes = settings.outboundBufferBytes();
    // Tyrus's session timers get a thread of this client's; tasks that come after close() are dropped.
    this.websocketTimers = new ScheduledThreadPoolExecutor(1, threads.factory("websocket-timer"),
        new ThreadPoolExecutor.DiscardPolicy());
    websocketTimers.setRemoveOnCancelPolicy(true);
    websocketTimers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    SessionContainer sessions = new SessionContainer(websocketTimers);
    this.tyrus = ClientManager.createClient(GrizzlyClientContainer.class.getName(), sessions);
    sessions.delegateTo(tyrus);
    Map<String, Object> properties = tyrus.getProperties();
    // Tyrus reads this one as an Integer only.
    properties.put(ClientProperties.HANDSHAKE_TIMEOUT,
        (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
    // Each connection gets its own Grizzly transport (the container is not shared), started on the control
    // thread: one selector thread, in Tyrus's default config (a config of ours would bring one selector per
    // CPU), named by Grizzly but in this client's thread group; and two workers named by this client.
    properties.put(GrizzlyClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
        .setPoolName(threads.prefix() + "io").setThreadFactory(threads.factory("io"))
        .setCorePoolSize(2).setMaxPoolSize(2).setDaemon(true));
  }

  @Override
  Link newLink(LinkListener listener) {
    return new EngineLink(listener, codec, mapper, threads,
        new OutboundBuffer(outboundBufferSize, outboundBufferBytes));
  }

  /** Opens the WebSocket (the HTTP upgrade) with these headers; blocks up to the connect timeout. */
  @Override
  void open(Link link, Map<String, String> headers) {
    ClientEndpointConfig endpointConfig = ClientEndpointConfig.Builder.create()
        .configurator(new ClientEndpointConfig.Configurator() {
          @Override
          public void beforeRequest(Map<String, List<String>> request) {
            headers.forEach((name, value) -> request.put(name, List.of(value)));
          }
        })
        .build();
    try {
      tyrus.connectToServer((EngineLink) link, endpointConfig, endpoint());
    } catch (DeploymentException | IOException | RuntimeException e) {
      int status = httpStatus(e);
      String message = "could not connect to " + endpoint() + ": " + describe(e);
      throw status > 0 ? TransportException.withHttpStatus(message + " (HTTP " + status + ")", status, e)
          : new TransportException(message, e);
    }
  }

  private static int httpStatus(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof HandshakeException handshake) {
        return handshake.getHttpStatusCode();
      }
    }
    return 0;
  }

  private static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = error.getMessage();
    String rootMessage = root == error ? "" : " (" + root + ")";
    return (message == null ? error.getClass().getSimpleName() : message) + rootMessage;
  }

  @Override
  void shutdown() {
    websocketTimers.shutdown();
    tyrus.shutdown();
  }

  @Override
  void shutdownNow() {
    websocketTimers.shutdownNow();
  }
}
