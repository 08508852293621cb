package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** A long-poll held on Jetty's core API that the client abandons, before or after its session took it. */
class CorePollTest {
  private final AtomicReference<Consumer<Throwable>> failureListener = new AtomicReference<>();

  @SuppressWarnings("unchecked")
  private final Request request = (Request) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {Request.class}, (self, method, args) -> {
        if (method.getName().equals("addFailureListener")) {
          failureListener.set((Consumer<Throwable>) args[0]);
        }
        return null;
      });
  private final Response response = (Response) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {Response.class}, (self, method, args) -> null);

  @Test
  void aPollFailedBeforeItsSessionTookItIsForgottenOnceTaken() {
    CorePoll poll = new CorePoll(request, response, Callback.NOOP);
    failureListener.get().accept(new IOException("reset"));
    AtomicInteger forgotten = new AtomicInteger();
    poll.onGone(held -> forgotten.incrementAndGet());
    assertThat(forgotten).hasValue(1);
  }

  @Test
  void aPollFailedAfterItsSessionTookItIsForgottenThen() {
    CorePoll poll = new CorePoll(request, response, Callback.NOOP);
    AtomicInteger forgotten = new AtomicInteger();
    poll.onGone(held -> forgotten.incrementAndGet());
    assertThat(forgotten).hasValue(0);
    failureListener.get().accept(new IOException("reset"));
    assertThat(forgotten).hasValue(1);
  }
}
