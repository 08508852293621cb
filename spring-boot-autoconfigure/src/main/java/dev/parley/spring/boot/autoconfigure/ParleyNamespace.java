package dev.parley.spring.boot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The namespace a {@link dev.parley.ConnectionHandler} or {@link dev.parley.Middleware} bean serves, on the bean's
 * class or its {@code @Bean} method. A handler or middleware bean without it serves the default namespace,
 * {@code "/"}.
 *
 * <pre>{@code
 * @Bean
 * @ParleyNamespace("/admin")
 * ConnectionHandler admin() {
 *   return channel -> channel.on("kick", (ch, event) -> kick(event.arg(0, String.class)));
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ParleyNamespace {
  /** The namespace's name, starting with {@code "/"}. */
  String value();
}
