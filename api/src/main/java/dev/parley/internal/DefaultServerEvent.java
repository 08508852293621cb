package dev.parley.internal;

import dev.parley.ServerEvent;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** An event from another node; its answer, if the sender wants one, completes {@code answer}. */
final class DefaultServerEvent extends JsonArguments implements ServerEvent {
  private final String name;
  private final String node;
  private final Sinks.@Nullable One<List<JsonNode>> answer;
  private final JsonMapper mapper;
  private final AtomicBoolean acked = new AtomicBoolean();

  DefaultServerEvent(String name, List<JsonNode> args, String node, Sinks.@Nullable One<List<JsonNode>> answer,
                     JsonMapper mapper) {
    super("ServerEvent", args, mapper);
    this.name = name;
    this.node = node;
    this.answer = answer;
    this.mapper = mapper;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public boolean wantsAck() {
    return answer != null;
  }

  @Override
  public void ack(Object... args) {
    Sinks.One<List<JsonNode>> sink = answer;
    if (sink == null) {
      return;
    }
    List<JsonNode> json = JsonArguments.toJson(mapper, name, args);
    if (!acked.compareAndSet(false, true)) {
      throw new IllegalStateException("server event " + Names.quote(name) + " was already answered");
    }
    sink.tryEmitValue(json);
  }

  /** Whether an answer was sent. */
  boolean acked() {
    return acked.get();
  }
}
