package dev.parley.spring.boot.autoconfigure;

import dev.parley.ChatServer;

/**
 * A bean that sets up the application's {@link ChatServer} beyond the {@code parley.*} properties: namespaces and
 * their handlers and middleware, or any builder setting. Every {@code ParleyConfigurer} bean is applied, in
 * {@link org.springframework.core.annotation.Order} order, after the properties and the handler beans, so it has
 * the last word.
 *
 * <pre>{@code
 * @Bean
 * ParleyConfigurer chat(ChatRooms rooms) {
 *   return builder -> builder.namespace("/chat", ns -> ns.onConnection(rooms::join));
 * }
 * }</pre>
 *
 * <p>Called once, on the thread that creates the {@code ChatServer} bean, before the server starts.
 */
@FunctionalInterface
public interface ParleyConfigurer {
  /**
   * Changes the builder of the server about to be built.
   *
   * @param builder the builder, already holding the properties, the store, the transports and the handler beans
   */
  void configure(ChatServer.Builder builder);
}
