package dev.parley.spring.boot.autoconfigure;

import dev.parley.ChatServer;
import dev.parley.micrometer.ParleyMetrics;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Properties;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Parley adds to Actuator and Micrometer when they are on the class path: the {@code parley} health
 * component ({@link ParleyHealthIndicator}), the {@code parley} info entry (version, node id, transports and
 * their paths), and the meters of {@link ParleyMetrics}, bound to Boot's registry.
 */
@AutoConfiguration(after = ParleyAutoConfiguration.class)
@ConditionalOnBean(ChatServer.class)
public class ParleyActuatorAutoConfiguration {

  /** The {@code parley} health component; {@code management.health.parley.enabled=false} turns it off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("parley")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "parleyHealthIndicator")
    ParleyHealthIndicator parleyHealthIndicator(ChatServer server, Store store) {
      return new ParleyHealthIndicator(server, store);
    }
  }

  /** The {@code parley} entry of {@code /actuator/info}: version, node id, transport names. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(InfoContributor.class)
  static class Info {
    @Bean
    @ConditionalOnMissingBean(name = "parleyInfoContributor")
    InfoContributor parleyInfoContributor(ChatServer server, ObjectProvider<Transport> transports) {
      return builder -> {
        Map<String, Object> parley = new LinkedHashMap<>();
        parley.put("version", version());
        parley.put("nodeId", server.config().nodeId());
        parley.put("transports", transports.orderedStream().map(Transport::name).toList());
        builder.withDetail("parley", parley);
      };
    }
  }

  /** Parley's version, from the Maven metadata in parley-api's jar; "unknown" when run from classes. */
  static String version() {
    try (InputStream in = ChatServer.class.getResourceAsStream("/META-INF/maven/dev.parley/parley-api/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The server's meters, bound by Boot to every registry it has. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.parley.micrometer.ParleyMetrics"})
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    ParleyMetrics parleyMetrics(ChatServer server) {
      return new ParleyMetrics(server);
    }
  }
}
