package dev.parley.examples.springboot;

import dev.parley.ConnectionHandler;
import dev.parley.Middleware;
import dev.parley.Namespace;
import dev.parley.examples.chat.ChatRooms;
import dev.parley.spring.boot.autoconfigure.ParleyConfigurer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The chat of {@code examples/chat} as a Spring Boot application: the Parley starter mounts both transports in
 * Boot's Tomcat on Boot's port, Boot serves the page ({@code static/} of the chat example's jar), and the chat's
 * handlers are two beans. {@code application.properties} holds the settings;
 * {@code --parley.store.mongodb.uri=mongodb://...} keeps the history in MongoDB.
 *
 * <pre>
 * java -jar examples/spring-boot-chat/target/parley-spring-boot-chat.jar [--server.port=8080]
 * </pre>
 */
@SpringBootApplication
public class SpringBootChatApp {
  public static void main(String[] args) {
    SpringApplication.run(SpringBootChatApp.class, args);
  }

  /** Only signed-in users (a nickname cookie) connect. */
  @Bean
  Middleware nickname() {
    return ChatRooms::requireNickname;
  }

  /** The chat's rooms: one per server. */
  @Bean
  ChatRooms chatRooms() {
    return new ChatRooms();
  }

  /** Rooms with history, typing and presence. */
  @Bean
  ConnectionHandler rooms(ChatRooms chatRooms) {
    return chatRooms::connected;
  }

  /** Who is online, across every node sharing the store. */
  @Bean
  ParleyConfigurer presence() {
    return builder -> builder.namespace("/", Namespace::trackPresence);
  }
}
