package dev.parley.spring.boot.autoconfigure;

import dev.parley.ConnectionHandler;
import dev.parley.Middleware;
import dev.parley.error.ConnectionRejectedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A chat application as a Boot user writes one: handler beans, nothing Parley-specific beyond them. Everyone
 * in the default namespace is in "lobby"; "chat" is acked and sent to the lobby; "slow" waits for the test's
 * gate before it acks (an in-flight post when the context closes); "/ops" takes only clients whose auth says
 * so (a middleware bean with {@link ParleyNamespace}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ChatTestApplication {
  /** Opened by the test to let the "slow" handler answer. */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
  }

  @Bean
  Gate gate() {
    return new Gate();
  }

  @Bean
  ConnectionHandler lobby(Gate gate) {
    return channel -> {
      channel.join("lobby").subscribe();
      channel.on("chat", (ch, event) -> {
        String text = event.arg(0, String.class);
        ch.namespace().room("lobby").emit("chat", text).subscribe();
        event.ack("ok:" + text);
      });
      channel.on("slow", (ch, event) -> {
        gate.entered.countDown();
        if (gate.open.await(10, TimeUnit.SECONDS)) {
          event.ack("finished");
        }
      });
    };
  }

  @Bean
  @ParleyNamespace("/ops")
  Middleware opsOnly() {
    return handshake -> {
      if (!"ops".equals(handshake.auth().path("role").asString())) {
        throw new ConnectionRejectedException("ops only");
      }
      return handshake;
    };
  }

  @Bean
  @ParleyNamespace("/ops")
  ConnectionHandler ops() {
    return channel -> channel.on("whoami", (ch, event) -> event.ack(ch.namespace().name()));
  }
}
