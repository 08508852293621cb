package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.WireFrame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.spi.Connection;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A {@link Throwable} on a writer's write path (a completion callback that throws, a container that throws an
 * error) is never swallowed: it reaches the connection's broken handler, which closes the socket, and every
 * batch still waiting hears of the failure instead of waiting forever.
 */
class SocketWriterFailureTest {
  private final List<Throwable> broken = new CopyOnWriteArrayList<>();

  /** A container whose sends complete at once, or throw {@code thrown} if it is set. */
  private static RemoteEndpoint.Async remote(AtomicReference<Throwable> thrown) {
    return (RemoteEndpoint.Async) Proxy.newProxyInstance(SocketWriterFailureTest.class.getClassLoader(),
        new Class<?>[] {RemoteEndpoint.Async.class}, (self, method, args) -> {
          if (method.getName().startsWith("send") && args != null && args.length == 2) {
            Throwable error = thrown.get();
            if (error != null) {
              throw error;
            }
            ((SendHandler) args[1]).onResult(new SendResult());
          }
          return null;
        });
  }

  private static final class Recorder implements Connection.WriteCallback {
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final boolean throwOnWritten;

    Recorder(boolean throwOnWritten) {
      this.throwOnWritten = throwOnWritten;
    }

    @Override
    public void written() {
      heard.add("written");
      if (throwOnWritten) {
        throw new OutOfMemoryError("from the callback");
      }
    }

    @Override
    public void failed(Throwable error) {
      heard.add("failed");
    }
  }

  @Test
  void anErrorThrownByACompletionCallbackReachesTheBrokenHandlerOfThePortableWriter() {
    JakartaSocketWriter writer = new JakartaSocketWriter(remote(new AtomicReference<>()), broken::add);
    Recorder throwing = new Recorder(true);
    writer.send(List.of(new WireFrame("42[\"a\"]", List.of())), throwing);
    assertThat(throwing.heard).containsExactly("written");
    assertThat(broken).singleElement().isInstanceOf(OutOfMemoryError.class);

    // The writer is done for; a later batch is failed, not left waiting.
    Recorder later = new Recorder(false);
    writer.send(List.of(new WireFrame("42[\"b\"]", List.of())), later);
    assertThat(later.heard).containsExactly("failed");
  }

  @Test
  void anErrorThrownByTheContainerFailsTheBatchAndReachesTheBrokenHandler() {
    AtomicReference<Throwable> thrown = new AtomicReference<>(new OutOfMemoryError("in the container"));
    JakartaSocketWriter writer = new JakartaSocketWriter(remote(thrown), broken::add);
    Recorder batch = new Recorder(false);
    writer.send(List.of(new WireFrame("42[\"a\"]", List.of(new byte[] {1}))), batch);
    assertThat(batch.heard).containsExactly("failed");
    assertThat(broken).singleElement().isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void anErrorThrownByACompletionCallbackReachesTheBrokenHandlerOfTheJettyWriter() {
    // Jetty's flusher catches what a callback throws and only logs it at debug: the writer catches it first.
    Recorder throwing = new Recorder(true);
    new JettySocketWriter.Completion(throwing, broken::add).succeeded();
    assertThat(broken).singleElement().isInstanceOf(OutOfMemoryError.class);

    Connection.WriteCallback failing = new Connection.WriteCallback() {
      @Override
      public void written() {
      }

      @Override
      public void failed(Throwable error) {
        throw new IllegalStateException("from the failure callback");
      }
    };
    new JettySocketWriter.Completion(failing, broken::add).failed(new java.io.IOException("reset"));
    assertThat(broken).hasSize(2).last().isInstanceOf(IllegalStateException.class);
  }
}
