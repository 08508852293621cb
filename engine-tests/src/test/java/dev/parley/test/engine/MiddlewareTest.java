package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Handshake;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Middleware checks each handshake before a channel exists: it may refuse it, or enrich it for handlers. */
class MiddlewareTest {

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private final AtomicInteger connectionHandlerRuns = new AtomicInteger();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ChatServer start(ChatServer.Builder builder) {
    server = builder.onConnection(channel -> connectionHandlerRuns.incrementAndGet()).onConnection(channels).start();
    return server;
  }

  @Test
  void rejectionReachesTheClientAndNoChannelIsCreated() {
    start(serverOn(transport).use(handshake -> {
      if (handshake.cookie("nick").isEmpty()) {
        throw new ConnectionRejectedException("sign in first");
      }
      return handshake;
    }));

    assertThatThrownBy(() -> transport.connect("/"))
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("sign in first");
    assertThat(server.namespace().channels()).isEmpty();

    // A client that is let in afterwards is the only channel, and the only one the handlers saw.
    TestClient admitted = transport.connect(InProcessTransport.infoWithCookies(Map.of("nick", "bob")), "/",
        JsonNodeFactory.instance.objectNode());
    Channel channel = channels.of(admitted);
    assertThat(server.namespace().channels()).containsExactly(channel);
    assertThat(connectionHandlerRuns).hasValue(1);
  }

  @Test
  void rejectionDataReachesTheClient() {
    ObjectNode detail = JsonNodeFactory.instance.objectNode().put("retryAfter", 30);
    start(serverOn(transport).use(handshake -> {
      throw new ConnectionRejectedException("too many attempts", detail);
    }));

    assertThatThrownBy(() -> transport.connect("/"))
        .isInstanceOfSatisfying(ConnectionRejectedException.class,
            e -> assertThat(e.data()).isEqualTo(detail))
        .hasMessage("too many attempts");
  }

  @Test
  void principalAndAttributesSetByMiddlewareReachTheChannel() {
    start(serverOn(transport).use(handshake -> handshake.withPrincipal(() -> "alice").withAttribute("role", "admin")));

    Channel channel = channels.of(transport.connect("/"));

    Handshake handshake = channel.handshake();
    assertThat(handshake.principal()).extracting(Principal::getName).isEqualTo("alice");
    assertThat(handshake.attribute("role", String.class)).contains("admin");
    assertThat(handshake.attribute("role", Integer.class)).as("wrong type").isEmpty();
    assertThat(handshake.namespace()).isEqualTo("/");
    assertThat(handshake.transport()).isEqualTo(InProcessTransport.NAME);
  }

  @Test
  void middlewareRunsInOrderEachSeeingThePreviousHandshake() {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(serverOn(transport)
        .use(handshake -> {
          seen.add("first saw principal " + handshake.principal());
          return handshake.withPrincipal(() -> "alice");
        })
        .use(handshake -> {
          seen.add("second saw principal " + handshake.principal().getName());
          return handshake.withAttribute("checked", true);
        }));

    Channel channel = channels.of(transport.connect("/"));

    assertThat(seen).containsExactly("first saw principal null", "second saw principal alice");
    assertThat(channel.handshake().principal().getName()).isEqualTo("alice");
    assertThat(channel.handshake().attribute("checked", Boolean.class)).contains(true);
  }

  @Test
  void cookiesAndAuthPayloadReachTheHandshake() {
    start(serverOn(transport).use(handshake -> {
      String nick = handshake.cookie("nick").orElseThrow(() -> new ConnectionRejectedException("sign in first"));
      return handshake.withPrincipal(() -> nick);
    }));
    ObjectNode auth = JsonNodeFactory.instance.objectNode().put("token", "t-123");

    Channel channel = channels.of(transport.connect(InProcessTransport.infoWithCookies(Map.of("nick", "bob")), "/", auth));

    assertThat(channel.handshake().principal().getName()).isEqualTo("bob");
    assertThat(channel.handshake().cookie("nick")).contains("bob");
    assertThat(channel.handshake().auth().get("token").asString()).isEqualTo("t-123");
    assertThatThrownBy(() -> transport.connect("/"))
        .as("without the cookie").isInstanceOf(ConnectionRejectedException.class).hasMessage("sign in first");
  }

  @Test
  void unknownNamespaceIsRejected() {
    start(serverOn(transport));

    assertThatThrownBy(() -> transport.connect("/never-created"))
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("Invalid namespace");
    assertThat(connectionHandlerRuns).hasValue(0);
  }

  @Test
  void middlewareFailureRejectsWithoutLeakingTheError() {
    start(serverOn(transport).use(handshake -> {
      throw new IllegalStateException("database password is hunter2");
    }));

    assertThatThrownBy(() -> transport.connect("/"))
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("internal server error");
    assertThat(server.namespace().channels()).isEmpty();
    assertThat(connectionHandlerRuns).hasValue(0);
  }

  @Test
  void middlewareReturningNullRejectsTheHandshake() {
    start(serverOn(transport).use(handshake -> null));

    assertThatThrownBy(() -> transport.connect("/"))
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("internal server error");
    assertThat(connectionHandlerRuns).hasValue(0);
  }

  @Test
  void middlewareRunsOnlyForItsOwnNamespace() {
    AtomicInteger rootChecks = new AtomicInteger();
    AtomicInteger adminChecks = new AtomicInteger();
    start(serverOn(transport)
        .use(handshake -> {
          rootChecks.incrementAndGet();
          return handshake;
        })
        .namespace("/admin", admin -> admin.use(handshake -> {
          adminChecks.incrementAndGet();
          throw new ConnectionRejectedException("admins only");
        })));

    TestClient root = transport.connect("/");
    assertThat(root.isConnected()).isTrue();
    assertThat(adminChecks).as("/admin middleware run for /").hasValue(0);
    assertThat(rootChecks).hasValue(1);

    assertThatThrownBy(() -> transport.connect("/admin")).hasMessage("admins only");
    assertThat(adminChecks).hasValue(1);
    assertThat(rootChecks).as("/ middleware run for /admin").hasValue(1);
  }

  @Test
  void middlewareAddedAfterStartAppliesToLaterConnections() {
    start(serverOn(transport));
    TestClient before = transport.connect("/");

    server.namespace().use(handshake -> {
      throw new ConnectionRejectedException("closed for maintenance");
    });

    assertThatThrownBy(() -> transport.connect("/")).hasMessage("closed for maintenance");
    assertThat(before.isConnected()).isTrue();
  }
}
