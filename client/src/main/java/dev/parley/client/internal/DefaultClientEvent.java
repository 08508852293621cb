package dev.parley.client.internal;

import dev.parley.client.ClientEvent;
import dev.parley.protocol.JsonArguments;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** An event from the server, answerable on the connection it came on. */
final class DefaultClientEvent extends JsonArguments implements ClientEvent {
  private final String name;
  private final @Nullable Long ackId;
  private final @Nullable String messageId;
  private final DefaultParleyClient client;
  private final Link link;
  private final AtomicBoolean acked = new AtomicBoolean();

  DefaultClientEvent(String name, List<JsonNode> args, @Nullable Long ackId, @Nullable String messageId,
                     DefaultParleyClient client, Link link) {
    super(args, client.mapper());
    this.name = name;
    this.ackId = ackId;
    this.messageId = messageId;
    this.client = client;
    this.link = link;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public @Nullable String messageId() {
    return messageId;
  }

  @Override
  public boolean wantsAck() {
    return ackId != null;
  }

  @Override
  public void ack(Object... args) {
    Long id = ackId;
    if (id == null) {
      return;
    }
    List<JsonNode> json = JsonArguments.toJson(client.mapper(), name, args);
    if (!acked.compareAndSet(false, true)) {
      throw new IllegalStateException("event " + ClientConfig.quote(name) + " was already acknowledged");
    }
    client.sendAck(link, id, json);
  }

  @Override
  public String toString() {
    return "ClientEvent[" + ClientConfig.quote(name) + ", " + size() + " args"
        + (ackId != null ? ", ack " + ackId : "") + "]";
  }
}
