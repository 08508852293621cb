package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Credentials made anew for each connection attempt, over both transports against one server that has both
 * ({@link TokenAndBoundsApp}), on 127.0.0.1: the auth supplier over WebSocket (the CONNECT auth payload), the
 * headers supplier over SSE (the stream request's {@code Authorization}).
 */
class CredentialsSupplierTest extends ClientTestSupport {
  private TokenAndBoundsApp app;
  private Recorder<String> tokens;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> callingThreads = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    tokens = recorder();
    app = track(new TokenAndBoundsApp(tokens));
  }

  /** A builder whose supplier hands out {@code token-1}, {@code token-2}, … or throws where {@code fails} says. */
  private ParleyClient.Builder refreshing(ClientTransport transport, URI url, Supplier<Boolean> fails) {
    Supplier<String> next = () -> {
      callingThreads.add(Thread.currentThread().getName());
      int call = calls.incrementAndGet();
      if (fails.get()) {
        throw new IllegalStateException("token service down (call " + call + ")");
      }
      return "token-" + call;
    };
    ParleyClient.Builder builder = ParleyClient.builder(url).transport(transport).reconnect(FAST);
    return transport == ClientTransport.SSE
        ? builder.headers(() -> Map.of("Authorization", "Bearer " + next.get()))
        : builder.auth(() -> Map.of("token", next.get()));
  }

  private static String token(ParleyClient client) {
    return client.emitWithAck("token").block(WAIT).arg(0, String.class);
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void supplierIsCalledOncePerAttemptAndTheServerSeesTheRefreshedToken(ClientTransport transport) throws Exception {
    Recorder<String> connects = recorder();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(refreshing(transport, app.proxiedUrl(), () -> false)
        .onConnect(() -> connects.accept("connect")).onDisconnect(disconnects));
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("token-1");
    assertThat(token(client)).isEqualTo("token-1");
    assertThat(calls).hasValue(1);

    app.proxy.dropAll();

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("token-2");
    assertThat(token(client)).isEqualTo("token-2");
    // One call per attempt; and no other handshake reached the server (the recorders are checked for leftovers).
    assertThat(calls).hasValue(2);
    // On the connecting thread, the client's control thread, for the first connection too.
    assertThat(callingThreads).hasSize(2)
        .allSatisfy(name -> assertThat(name).startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-control-"));
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aThrowingSupplierFailsTheFirstConnectLikeAConnectError(ClientTransport transport) {
    assertThatThrownBy(() -> connect(refreshing(transport, app.directUrl(), () -> true)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("could not connect to")
        .hasMessageContaining("supplier failed")
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("token service down (call 1)");
    assertThat(calls).hasValue(1);
    assertThat(tokens.isEmpty()).isTrue();
    assertThat(clientThreads()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aThrowingSupplierFailsThatReconnectAttemptAndALaterOneSucceeds(ClientTransport transport) throws Exception {
    Recorder<String> connects = recorder();
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<ParleyException> gaveUp = recorder();
    // The second and third calls throw: the first reconnect attempts fail without reaching the server.
    ParleyClient client = connect(refreshing(transport, app.proxiedUrl(), () -> calls.get() == 2 || calls.get() == 3)
        .onConnect(() -> connects.accept("connect")).onDisconnect(disconnects).onReconnectFailed(gaveUp));
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("token-1");

    app.proxy.dropAll();

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("token-4");
    assertThat(token(client)).isEqualTo("token-4");
    assertThat(calls).hasValue(4);
    // The failed attempts reached no server: its middleware saw only token-1 and token-4.
    assertThat(gaveUp.isEmpty()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void givingUpAfterFailingSuppliersCarriesTheLastFailure(ClientTransport transport) throws Exception {
    Recorder<String> connects = recorder();
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<ParleyException> gaveUp = recorder();
    ParleyClient client = connect(refreshing(transport, app.proxiedUrl(), () -> calls.get() > 1)
        .reconnect(FAST.withMaxAttempts(2))
        .onConnect(() -> connects.accept("connect")).onDisconnect(disconnects).onReconnectFailed(gaveUp));
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("token-1");

    app.proxy.dropAll();

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(gaveUp.next()).isInstanceOf(TransportException.class)
        .hasMessageContaining("gave up reconnecting").hasMessageContaining("after 2 attempts")
        .hasRootCauseMessage("token service down (call 3)");
    assertThat(client.isConnected()).isFalse();
    assertThat(calls).hasValue(3);
  }

  @Test
  void aStaticAuthPayloadIsSentOnEveryAttempt() throws Exception {
    Recorder<String> connects = recorder();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(FAST)
        .auth(Map.of("token", "fixed")).onConnect(() -> connects.accept("connect")).onDisconnect(disconnects));
    assertThat(connects.next()).isEqualTo("connect");

    app.proxy.dropAll();

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(tokens.next()).isEqualTo("fixed");
    assertThat(tokens.next()).isEqualTo("fixed");
    assertThat(token(client)).isEqualTo("fixed");
  }

  @Test
  void suppliedHeadersReplaceTheBuildersHeaderOfTheSameName() throws Exception {
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).transport(ClientTransport.SSE)
        .header("authorization", "Bearer stale").headers(() -> Map.of("Authorization", "Bearer fresh")));

    assertThat(tokens.next()).isEqualTo("fresh");
    assertThat(token(client)).isEqualTo("fresh");
  }

  @Test
  void aSupplierValueThatIsNotAJsonObjectFailsTheAttempt() {
    assertThatThrownBy(() -> connect(ParleyClient.builder(app.directUrl()).auth(() -> List.of("a"))))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("supplier failed")
        .rootCause().asInstanceOf(InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth must serialise to a JSON object");
    assertThat(tokens.isEmpty()).isTrue();
  }

  @Test
  void sseRefusesAnAuthSupplier() {
    ParleyClient.Builder builder = ParleyClient.builder(app.directUrl()).transport(ClientTransport.SSE)
        .auth(() -> Map.of("token", "t"));

    assertThatThrownBy(builder::connect)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headers(() -> ...)");
    assertThat(tokens.isEmpty()).isTrue();
  }
}
