package dev.parley.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code parley.*} properties. A property left unset keeps Parley's own default (the Javadoc of
 * {@code ChatServerConfig}, {@code WebSocketTransportConfig}, {@code SseTransportConfig} and
 * {@code MongoStoreConfig} gives each); anything not here is set in a {@link ParleyConfigurer} bean.
 * Bound once, when the context starts; not thread-safe, like every properties bean.
 */
@ConfigurationProperties("parley")
public class ParleyProperties {
  /** Whether to start a ChatServer in this application. */
  private boolean enabled = true;

  /**
   * Browser origins allowed to connect, for both transports: exact origins ("https://chat.example.com"), or "*"
   * for any (then without credentials). Empty: the page's own origin only.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  /** This node's id among the nodes sharing a store. Default: random. */
  private @Nullable String nodeId;

  /** How long closing the server waits for in-flight posts and handlers before it ends every connection. Default: 10s. */
  private @Nullable Duration shutdownTimeout;

  /** Threads running the application's handlers when they do not run on virtual threads. Default: max(16, 4 x cores). */
  private @Nullable Integer handlerThreads;

  private final Cluster cluster = new Cluster();
  private final WebSocket websocket = new WebSocket();
  private final Sse sse = new Sse();
  private final Store store = new Store();
  private final Limits limits = new Limits();
  private final Recovery recovery = new Recovery();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public @Nullable String getNodeId() {
    return nodeId;
  }

  public void setNodeId(@Nullable String nodeId) {
    this.nodeId = nodeId;
  }

  public @Nullable Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  public Cluster getCluster() {
    return cluster;
  }

  public @Nullable Integer getHandlerThreads() {
    return handlerThreads;
  }

  public void setHandlerThreads(@Nullable Integer handlerThreads) {
    this.handlerThreads = handlerThreads;
  }

  public WebSocket getWebsocket() {
    return websocket;
  }

  public Sse getSse() {
    return sse;
  }

  public Store getStore() {
    return store;
  }

  public Limits getLimits() {
    return limits;
  }

  public Recovery getRecovery() {
    return recovery;
  }

  /** How the nodes sharing a store know each other, and how long operations across them wait. */
  public static class Cluster {
    /** How often this node tells the others it is alive. Default: 5s. */
    private @Nullable Duration heartbeat;

    /** How long a node may go unheard before the others count it as gone (more than the heartbeat). Default: 15s. */
    private @Nullable Duration nodeTimeout;

    /** How long an operation across nodes (a broadcast's join, fetchChannels...) waits for the others. Default: 5s. */
    private @Nullable Duration timeout;

    public @Nullable Duration getHeartbeat() {
      return heartbeat;
    }

    public void setHeartbeat(@Nullable Duration heartbeat) {
      this.heartbeat = heartbeat;
    }

    public @Nullable Duration getNodeTimeout() {
      return nodeTimeout;
    }

    public void setNodeTimeout(@Nullable Duration nodeTimeout) {
      this.nodeTimeout = nodeTimeout;
    }

    public @Nullable Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(@Nullable Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** The Socket.IO transport: Engine.IO over WebSocket and HTTP long-polling. */
  public static class WebSocket {
    /** Whether to serve Socket.IO clients (needs parley-transport-websocket on the class path). */
    private boolean enabled = true;

    /** Where Engine.IO is served; starts and ends with "/". Default: /socket.io/. */
    private @Nullable String path;

    /** How often the server pings each client. Default: 25s. */
    private @Nullable Duration pingInterval;

    /** How long a client has to answer a ping. Default: 20s. */
    private @Nullable Duration pingTimeout;

    /** The largest frame or polling body a client may send, in bytes. Default: 1000000. */
    private @Nullable Integer maxPayload;

    /** Whether clients may use HTTP long-polling (socket.io-client's default first transport). Default: true. */
    private @Nullable Boolean polling;

    /** Whether to serve the browser client at {path}socket.io.js. Default: true. */
    private @Nullable Boolean serveClient;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable String getPath() {
      return path;
    }

    public void setPath(@Nullable String path) {
      this.path = path;
    }

    public @Nullable Duration getPingInterval() {
      return pingInterval;
    }

    public void setPingInterval(@Nullable Duration pingInterval) {
      this.pingInterval = pingInterval;
    }

    public @Nullable Duration getPingTimeout() {
      return pingTimeout;
    }

    public void setPingTimeout(@Nullable Duration pingTimeout) {
      this.pingTimeout = pingTimeout;
    }

    public @Nullable Integer getMaxPayload() {
      return maxPayload;
    }

    public void setMaxPayload(@Nullable Integer maxPayload) {
      this.maxPayload = maxPayload;
    }

    public @Nullable Boolean getPolling() {
      return polling;
    }

    public void setPolling(@Nullable Boolean polling) {
      this.polling = polling;
    }

    public @Nullable Boolean getServeClient() {
      return serveClient;
    }

    public void setServeClient(@Nullable Boolean serveClient) {
      this.serveClient = serveClient;
    }
  }

  /** The Server-Sent Events transport: an EventSource stream down, HTTP POST up. */
  public static class Sse {
    /** Whether to serve EventSource clients (needs parley-transport-sse on the class path). */
    private boolean enabled = true;

    /** Where streams and posts are served; starts and ends with "/". Default: /sse/. */
    private @Nullable String path;

    /** How often an idle stream gets a comment line, keeping proxies from closing it. Default: 15s. */
    private @Nullable Duration heartbeatInterval;

    /** The largest POST body, in bytes. Default: 65536. */
    private @Nullable Integer maxPostBody;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable String getPath() {
      return path;
    }

    public void setPath(@Nullable String path) {
      this.path = path;
    }

    public @Nullable Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    public void setHeartbeatInterval(@Nullable Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }

    public @Nullable Integer getMaxPostBody() {
      return maxPostBody;
    }

    public void setMaxPostBody(@Nullable Integer maxPostBody) {
      this.maxPostBody = maxPostBody;
    }
  }

  /** Where messages, sessions and the node-to-node bus live. */
  public static class Store {
    /**
     * "memory" (this node only, lost on restart) or "mongodb" (history kept, many nodes). Default: mongodb when
     * parley.store.mongodb.uri is set, memory otherwise. A Store bean of the application's wins over both.
     */
    private @Nullable String type;

    private final Mongodb mongodb = new Mongodb();

    public @Nullable String getType() {
      return type;
    }

    public void setType(@Nullable String type) {
      this.type = type;
    }

    public Mongodb getMongodb() {
      return mongodb;
    }
  }

  /** The MongoDB store (needs parley-store-mongo on the class path). */
  public static class Mongodb {
    /** The connection string, a replica set's (change streams need one). Default: mongodb://127.0.0.1:27017. */
    private @Nullable String uri;

    /** The database. Default: parley. */
    private @Nullable String database;

    /** How long messages are kept. Default: forever. */
    private @Nullable Duration maxAge;

    /** How many messages each room keeps, the oldest removed first. Default: no limit. */
    private @Nullable Integer maxMessagesPerRoom;

    public @Nullable String getUri() {
      return uri;
    }

    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }

    public @Nullable String getDatabase() {
      return database;
    }

    public void setDatabase(@Nullable String database) {
      this.database = database;
    }

    public @Nullable Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(@Nullable Duration maxAge) {
      this.maxAge = maxAge;
    }

    public @Nullable Integer getMaxMessagesPerRoom() {
      return maxMessagesPerRoom;
    }

    public void setMaxMessagesPerRoom(@Nullable Integer maxMessagesPerRoom) {
      this.maxMessagesPerRoom = maxMessagesPerRoom;
    }
  }

  /** What one client, one address and the whole node may hold. */
  public static class Limits {
    /** How long the server waits for a client's ack. Default: 10s. */
    private @Nullable Duration ackTimeout;

    /** Acks one channel may be waiting for at once. Default: 128. */
    private @Nullable Integer maxPendingAcks;

    /** Packets queued for one slow client before it is disconnected. Default: 1024. */
    private @Nullable Integer outboundBufferSize;

    /** Bytes queued for one slow client before it is disconnected. Default: 4194304. */
    private @Nullable Long outboundBufferBytes;

    /** Bytes one client may have in frames admitted but not yet handled. Default: 4194304. */
    private @Nullable Long maxInboundBytes;

    /** Events a client may send per second, on average. Default: 1000. */
    private @Nullable Integer maxEventsPerSecond;

    /** Events a client may send at once (the bucket's size). Default: 1000. */
    private @Nullable Integer maxEventBurst;

    /** Connections one remote address may hold; raise it behind a reverse proxy. Default: 1000. */
    private @Nullable Integer maxConnectionsPerAddress;

    /** Rooms one channel may be in. Default: 1000. */
    private @Nullable Integer maxRoomsPerChannel;

    /** How long a socket may stay without joining a namespace. Default: 45s. */
    private @Nullable Duration connectTimeout;

    public @Nullable Duration getAckTimeout() {
      return ackTimeout;
    }

    public void setAckTimeout(@Nullable Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
    }

    public @Nullable Integer getMaxPendingAcks() {
      return maxPendingAcks;
    }

    public void setMaxPendingAcks(@Nullable Integer maxPendingAcks) {
      this.maxPendingAcks = maxPendingAcks;
    }

    public @Nullable Integer getOutboundBufferSize() {
      return outboundBufferSize;
    }

    public void setOutboundBufferSize(@Nullable Integer outboundBufferSize) {
      this.outboundBufferSize = outboundBufferSize;
    }

    public @Nullable Long getOutboundBufferBytes() {
      return outboundBufferBytes;
    }

    public void setOutboundBufferBytes(@Nullable Long outboundBufferBytes) {
      this.outboundBufferBytes = outboundBufferBytes;
    }

    public @Nullable Long getMaxInboundBytes() {
      return maxInboundBytes;
    }

    public void setMaxInboundBytes(@Nullable Long maxInboundBytes) {
      this.maxInboundBytes = maxInboundBytes;
    }

    public @Nullable Integer getMaxEventsPerSecond() {
      return maxEventsPerSecond;
    }

    public void setMaxEventsPerSecond(@Nullable Integer maxEventsPerSecond) {
      this.maxEventsPerSecond = maxEventsPerSecond;
    }

    public @Nullable Integer getMaxEventBurst() {
      return maxEventBurst;
    }

    public void setMaxEventBurst(@Nullable Integer maxEventBurst) {
      this.maxEventBurst = maxEventBurst;
    }

    public @Nullable Integer getMaxConnectionsPerAddress() {
      return maxConnectionsPerAddress;
    }

    public void setMaxConnectionsPerAddress(@Nullable Integer maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
    }

    public @Nullable Integer getMaxRoomsPerChannel() {
      return maxRoomsPerChannel;
    }

    public void setMaxRoomsPerChannel(@Nullable Integer maxRoomsPerChannel) {
      this.maxRoomsPerChannel = maxRoomsPerChannel;
    }

    public @Nullable Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(@Nullable Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }
  }

  /** Connection-state recovery: a client that comes back in time gets its rooms and missed packets. */
  public static class Recovery {
    /** How long a disconnected client's state is kept; 0 turns recovery off. Default: 2m. */
    private @Nullable Duration maxDisconnectionDuration;

    /** Packets kept per channel for replay. Default: 1000. */
    private @Nullable Integer journalSize;

    public @Nullable Duration getMaxDisconnectionDuration() {
      return maxDisconnectionDuration;
    }

    public void setMaxDisconnectionDuration(@Nullable Duration maxDisconnectionDuration) {
      this.maxDisconnectionDuration = maxDisconnectionDuration;
    }

    public @Nullable Integer getJournalSize() {
      return journalSize;
    }

    public void setJournalSize(@Nullable Integer journalSize) {
      this.journalSize = journalSize;
    }
  }
}
