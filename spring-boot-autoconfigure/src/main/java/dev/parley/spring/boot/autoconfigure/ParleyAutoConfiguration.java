package dev.parley.spring.boot.autoconfigure;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.ConnectionHandler;
import dev.parley.Middleware;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link ChatServer} from the {@code parley.*} properties ({@link ParleyProperties}), the application's
 * {@link ConnectionHandler}, {@link Middleware} and {@link ParleyConfigurer} beans, and Boot's {@link JsonMapper},
 * its transports mounted in Boot's own servlet container on Boot's port, its life tied to the context's
 * ({@link ParleyLifecycle}). Every bean here backs off when the application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass(ChatServer.class)
@ConditionalOnBooleanProperty(name = "parley.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ParleyProperties.class)
public class ParleyAutoConfiguration {

  /**
   * The store {@code parley.store.type} names: {@code mongodb} (the default when {@code parley.store.mongodb.uri}
   * is set) or {@code memory}. The server starts and stops it.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(Store.class)
  public Store parleyStore(ParleyProperties properties) {
    ParleyProperties.Store store = properties.getStore();
    String type = store.getType() != null ? store.getType().toLowerCase(Locale.ROOT)
        : store.getMongodb().getUri() != null ? "mongodb" : "memory";
    return switch (type) {
      case "memory" -> Stores.memory();
      case "mongodb" -> Stores.mongodb(store.getMongodb());
      default -> throw new IllegalStateException("parley.store.type is \"" + store.getType()
          + "\": use \"memory\" or \"mongodb\"");
    };
  }

  /**
   * The server, built but not started: {@link ParleyLifecycle} starts it when the servlet container initialises
   * (or with the context, without one) and closes it when the context closes.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(ChatServer.class)
  public ChatServer chatServer(ParleyProperties properties, Store store, ObjectProvider<Transport> transports,
                               ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<ParleyConfigurer> configurers,
                               ListableBeanFactory beans, Environment environment) {
    ChatServer.Builder builder = ChatServer.builder()
        .config(config -> configure(config, properties, environment))
        .store(store)
        .host("none");
    transports.orderedStream().forEach(builder::transport);
    jsonMapper.ifAvailable(builder::jsonMapper);
    for (String name : beans.getBeanNamesForType(Middleware.class)) {
      Middleware middleware = beans.getBean(name, Middleware.class);
      builder.namespace(namespace(beans, name), ns -> ns.use(middleware));
    }
    for (String name : beans.getBeanNamesForType(ConnectionHandler.class)) {
      ConnectionHandler handler = beans.getBean(name, ConnectionHandler.class);
      builder.namespace(namespace(beans, name), ns -> ns.onConnection(handler));
    }
    configurers.orderedStream().forEach(configurer -> configurer.configure(builder));
    return builder.build();
  }

  /** Starts the server with the container and closes it in Boot's graceful-shutdown phase. */
  @Bean
  @ConditionalOnMissingBean
  public ParleyLifecycle parleyLifecycle(ChatServer server, ObjectProvider<Transport> transports) {
    // No transport bean at all (both turned off) is not an injection error: the server then says what it needs.
    return new ParleyLifecycle(server, transports.orderedStream().toList());
  }

  private static String namespace(ListableBeanFactory beans, String beanName) {
    ParleyNamespace namespace = beans.findAnnotationOnBean(beanName, ParleyNamespace.class);
    return namespace == null ? "/" : namespace.value();
  }

  private static void configure(ChatServerConfig.Builder config, ParleyProperties properties, Environment env) {
    set(properties.getNodeId(), config::nodeId);
    set(properties.getShutdownTimeout(), config::shutdownTimeout);
    set(properties.getHandlerThreads(), config::handlerThreads);
    set(properties.getCluster().getHeartbeat(), config::clusterHeartbeat);
    set(properties.getCluster().getNodeTimeout(), config::clusterNodeTimeout);
    set(properties.getCluster().getTimeout(), config::clusterTimeout);
    // spring.threads.virtual.enabled decides when it is set; otherwise Parley's default (virtual on Java 21+).
    if (env.containsProperty("spring.threads.virtual.enabled")) {
      config.virtualThreads(Threading.VIRTUAL.isActive(env));
    }
    ParleyProperties.Limits limits = properties.getLimits();
    set(limits.getAckTimeout(), config::ackTimeout);
    set(limits.getMaxPendingAcks(), config::maxPendingAcks);
    set(limits.getOutboundBufferSize(), config::outboundBufferSize);
    set(limits.getOutboundBufferBytes(), config::outboundBufferBytes);
    set(limits.getMaxInboundBytes(), config::maxInboundBytes);
    set(limits.getMaxEventsPerSecond(), config::maxEventsPerSecond);
    set(limits.getMaxEventBurst(), config::maxEventBurst);
    set(limits.getMaxConnectionsPerAddress(), config::maxConnectionsPerAddress);
    set(limits.getMaxRoomsPerChannel(), config::maxRoomsPerChannel);
    set(limits.getConnectTimeout(), config::connectTimeout);
    ParleyProperties.Recovery recovery = properties.getRecovery();
    set(recovery.getMaxDisconnectionDuration(), config::maxDisconnectionDuration);
    set(recovery.getJournalSize(), config::recoveryJournalSize);
  }

  static <T> void set(@Nullable T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /** The Socket.IO transport, when parley-transport-websocket is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.parley.transport.websocket.WebSocketTransport")
  @ConditionalOnBooleanProperty(name = "parley.websocket.enabled", matchIfMissing = true)
  static class WebSocketConfiguration {
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(type = "dev.parley.transport.websocket.WebSocketTransport")
    Transport parleyWebSocketTransport(ParleyProperties properties) {
      return Transports.websocket(properties);
    }
  }

  /** The Server-Sent Events transport, when parley-transport-sse is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.parley.transport.sse.SseTransport")
  @ConditionalOnBooleanProperty(name = "parley.sse.enabled", matchIfMissing = true)
  static class SseConfiguration {
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(type = "dev.parley.transport.sse.SseTransport")
    Transport parleySseTransport(ParleyProperties properties) {
      return Transports.sse(properties);
    }
  }

  /**
   * Mounts every transport in Boot's servlet container while it initialises, on Boot's port: no second port.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(ServletContextInitializer.class)
  static class ServletConfiguration {
    @Bean
    ServletContextInitializer parleyServletInitializer(ParleyLifecycle lifecycle) {
      return lifecycle::mount;
    }
  }
}
