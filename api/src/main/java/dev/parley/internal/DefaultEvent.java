package dev.parley.internal;

import dev.parley.Channel;
import dev.parley.Event;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** An event received from a client. */
final class DefaultEvent extends JsonArguments implements Event {
  private final String name;
  private final DefaultChannel channel;
  private final @Nullable Long ackId;
  // For request/response transports: the ack completes this instead of travelling as a packet.
  private final Sinks.@Nullable One<List<JsonNode>> reply;
  private final AtomicBoolean acked = new AtomicBoolean();
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile boolean hasHandlers;

  DefaultEvent(String name, List<JsonNode> args, @Nullable Long ackId, DefaultChannel channel, JsonMapper mapper) {
    super(args, mapper);
    this.name = name;
    this.ackId = ackId;
    this.reply = null;
    this.channel = channel;
  }

  DefaultEvent(String name, List<JsonNode> args, Sinks.One<List<JsonNode>> reply, DefaultChannel channel,
               JsonMapper mapper) {
    super(args, mapper);
    this.name = name;
    this.ackId = null;
    this.reply = reply;
    this.channel = channel;
  }

  void handled() {
    hasHandlers = true;
  }

  boolean hasHandlers() {
    return hasHandlers;
  }

  /** The client no longer waits on this event's ack (sent, or nobody will send it); counted once. */
  void settled() {
    if (wantsAck() && settled.compareAndSet(false, true)) {
      channel.ackSettled();
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public boolean wantsAck() {
    return ackId != null || reply != null;
  }

  @Override
  public void ack(Object... args) {
    Long id = ackId;
    Sinks.One<List<JsonNode>> sink = reply;
    if (id == null && sink == null) {
      return;
    }
    List<JsonNode> json = JsonArguments.toJson(channel.mapper(), name, args);
    if (!acked.compareAndSet(false, true)) {
      throw new IllegalStateException("event " + Names.quote(name) + " was already acknowledged");
    }
    if (sink != null) {
      sink.tryEmitValue(json);
    } else {
      channel.sendPacket(new Packet.Ack(channel.namespace().name(), id, json));
    }
    settled();
  }

  @Override
  public String toString() {
    return "Event[" + Names.quote(name) + ", " + size() + " args" + (ackId != null ? ", ack " + ackId : "") + "]";
  }
}
