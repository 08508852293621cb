package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class WireChoiceTest {

  @Test
  void aSessionFromAnotherContainerGetsThePortableWire() {
    RemoteEndpoint.Async remote = proxy(RemoteEndpoint.Async.class);
    Session foreign = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
        (self, method, args) -> method.getName().equals("getAsyncRemote") ? remote : null);

    assertThat(new WsConnection(foreign, new SocketIoCodec(JsonMapper.builder().build())).portable())
        .isTrue();
  }

  private static <T> T proxy(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(WireChoiceTest.class.getClassLoader(), new Class<?>[] {type},
        (self, method, args) -> null));
  }
}
