package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A transport for the engine's byte-budget tests: it hands the test the engine's {@link Session} itself, so a
 * test can admit frames as a network transport does, and its connections can stop taking writes (a client that
 * does not read) or fail with an {@link Error} while writing (which no real client can provoke).
 */
final class ProbeTransport implements Transport {
  private volatile @Nullable TransportContext context;

  @Override
  public String name() {
    return "probe";
  }

  @Override
  public boolean requiresHost() {
    return false;
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    this.context = context;
    return Mono.empty();
  }

  @Override
  public Mono<Void> stop() {
    context = null;
    return Mono.empty();
  }

  /** Opens a connection; nothing is sent yet. */
  Probe open() {
    TransportContext current = context;
    if (current == null) {
      throw new IllegalStateException("not started");
    }
    Probe probe = new Probe();
    probe.session = current.open(probe, ConnectionInfo.of(name(), "127.0.0.1:0"));
    return probe;
  }

  /**
   * Opens a connection and joins the main namespace, waiting until the server's connection handler has
   * put the new channel in {@code channels} (by its id).
   */
  Probe connected(Map<String, Channel> channels) throws InterruptedException {
    Probe probe = open();
    probe.session.receive(new Packet.Connect("/", null));
    Packet answer = probe.nextPacket(5);
    assertThat(answer).isInstanceOf(Packet.Connect.class);
    String sid = ((Packet.Connect) answer).data().get("sid").stringValue();
    await().atMost(Timeouts.EXPECTED).until(() -> channels.containsKey(sid));
    probe.sid = sid;
    return probe;
  }

  /** One connection: what the engine wrote to it, in order, and how it was closed. */
  static final class Probe implements Connection {
    final BlockingQueue<Packet> written = new LinkedBlockingQueue<>();
    final CompletableFuture<DisconnectReason> closed = new CompletableFuture<>();
    private final List<WriteCallback> held = new ArrayList<>();
    volatile Session session;
    volatile String sid;
    volatile boolean reading = true;
    volatile @Nullable Error failWith;
    // A transport that sees the connection end and reports at once what it saw, as an SSE stream does: when
    // it is handed a DISCONNECT packet (its stream ends after it) and when the engine closes it. Null: it
    // reports the engine's own reason, from close() only.
    volatile @Nullable DisconnectReason reportsAs;

    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      Error failure = failWith;
      if (failure != null) {
        throw failure;
      }
      boolean ends = false;
      for (Outgoing packet : batch) {
        written.add(packet.packet());
        ends |= packet.packet() instanceof Packet.Disconnect;
      }
      DisconnectReason seen = reportsAs;
      if (reading) {
        done.written();
        if (ends && seen != null) {
          session.closed(seen);
        }
      } else {
        synchronized (held) {
          held.add(done);
        }
      }
    }

    @Override
    public void close(DisconnectReason reason) {
      closed.complete(reason);
      DisconnectReason seen = reportsAs;
      session.closed(seen != null ? seen : reason);
    }

    /** The next packet written, waiting up to {@code seconds}. */
    Packet next(int seconds) throws InterruptedException {
      Packet packet = written.poll(seconds, TimeUnit.SECONDS);
      if (packet == null) {
        throw new AssertionError("nothing written within " + seconds + " s");
      }
      return packet;
    }

    /** The next packet that is not a Control frame. */
    Packet nextPacket(int seconds) throws InterruptedException {
      Packet packet;
      do {
        packet = next(seconds);
      } while (packet instanceof Packet.Control);
      return packet;
    }
  }
}
