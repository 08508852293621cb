package dev.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A context whose refresh fails after the servlet container has started the server (an application bean that
 * cannot be made) closes the server: Spring destroys the beans of a failed refresh without stopping them.
 */
class FailedStartTest {
  static final AtomicReference<ChatServer> SERVER = new AtomicReference<>();

  @Configuration(proxyBeanMethods = false)
  static class Broken {
    @Bean
    Object seesTheServer(ChatServer server) {
      SERVER.set(server);
      return new Object();
    }

    @Bean
    Object cannotBeMade(Object seesTheServer) {
      throw new IllegalStateException("the application cannot start");
    }
  }

  @Test
  void aFailedRefreshClosesTheStartedServer() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(ChatTestApplication.class, Broken.class)
        .properties("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off",
            "spring.autoconfigure.exclude="
                + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration")
        .run())
        .hasRootCauseMessage("the application cannot start")
        .isInstanceOf(BeanCreationException.class);
    ChatServer server = SERVER.get();
    assertThat(server).as("the server bean was made").isNotNull();
    assertThat(server.onClose().toFuture()).as("closed").isDone();
    assertThat(server.isRunning()).isFalse();
  }
}
