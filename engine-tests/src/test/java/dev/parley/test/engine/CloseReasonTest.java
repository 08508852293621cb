package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Timeouts;
import dev.parley.test.engine.ProbeTransport.Probe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The close-reason contract between engine and transport ({@code Session.closed}): the reason the engine gave
 * wins, and a transport may report its own view of the close the moment it sees it, with no delay.
 */
class CloseReasonTest {
  private final ProbeTransport transport = new ProbeTransport();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aTransportReportFromInsideTheEnginesCloseKeepsTheEnginesReason() throws Exception {
    Probe probe = connectedReportingAtOnce();
    Channel channel = channels.get(probe.sid);

    // An ack id never issued: the engine closes the connection, and the transport reports at once.
    probe.session.receive(new Packet.Ack("/", 999, List.of()));

    assertThat(probe.closed.get(5, TimeUnit.SECONDS)).isEqualTo(DisconnectReason.PARSE_ERROR);
    StepVerifier.create(channel.onDisconnect())
        .expectNext(DisconnectReason.PARSE_ERROR)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void aTransportThatEndsOnTheShutdownDisconnectBeforeTheEngineClosesItKeepsShuttingDown() throws Exception {
    Probe probe = connectedReportingAtOnce();
    Channel channel = channels.get(probe.sid);

    server.close();

    // The transport reported TRANSPORT_CLOSE the moment it was handed the DISCONNECT, while the engine was
    // still shutting the session down.
    assertThat(probe.written).anySatisfy(packet -> assertThat(packet).isEqualTo(new Packet.Disconnect("/")));
    StepVerifier.create(channel.onDisconnect())
        .expectNext(DisconnectReason.SERVER_SHUTTING_DOWN)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  /** A connected client whose transport reports TRANSPORT_CLOSE the moment it sees its connection end. */
  private Probe connectedReportingAtOnce() throws InterruptedException {
    server = ChatServer.builder().transport(transport).store(new MemoryStore())
        .onConnection(channel -> channels.put(channel.id(), channel))
        .start();
    Probe probe = transport.connected(channels);
    probe.reportsAs = DisconnectReason.TRANSPORT_CLOSE;
    return probe;
  }
}
