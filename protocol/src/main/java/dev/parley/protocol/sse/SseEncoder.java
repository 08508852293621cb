package dev.parley.protocol.sse;

import dev.parley.protocol.Packet;
import dev.parley.protocol.PacketEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes events as {@code text/event-stream} blocks (WHATWG HTML, server-sent events): {@code id:} for
 * stored messages, {@code event:}, one {@code data:} line per line of JSON (shaped by {@link SseData}), a
 * blank line. Nothing a
 * client controls can add a field or an event: names lose any line break, and data is split on every
 * line terminator the format knows. Thread-safe; one instance per transport.
 */
public final class SseEncoder implements PacketEncoder<byte[]> {
  /** A comment line the server sends to keep an idle stream open; clients ignore it. Callers must not modify it. */
  public static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] DISCONNECT = "event: parley:disconnect\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOTHING = new byte[0];

  private final JsonMapper mapper;

  /** An encoder that writes JSON with {@code mapper}. */
  public SseEncoder(JsonMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public byte[] encode(Packet packet) {
    if (packet instanceof Packet.Event event) {
      JsonNode data = SseData.encode(event.args(), event.ackId());
      return block(event.messageId(), event.name(), mapper.writeValueAsString(data));
    }
    if (packet instanceof Packet.Disconnect) {
      return DISCONNECT.clone();
    }
    return NOTHING;
  }

  /** One event block. */
  public static byte[] block(@Nullable String id, String event, String data) {
    StringBuilder out = new StringBuilder(data.length() + event.length() + 32);
    if (id != null) {
      out.append("id: ").append(field(id)).append('\n');
    }
    out.append("event: ").append(field(event)).append('\n');
    int start = 0;
    for (int i = 0; i < data.length(); i++) {
      char c = data.charAt(i);
      if (c == '\n' || c == '\r') {
        out.append("data: ").append(data, start, i).append('\n');
        if (c == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    out.append("data: ").append(data, start, data.length()).append("\n\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  // A field value ends at the first line break; dropping them keeps a value from starting a new field.
  private static String field(String value) {
    StringBuilder clean = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') {
        if (clean == null) {
          clean = new StringBuilder(value.length()).append(value, 0, i);
        }
      } else if (clean != null) {
        clean.append(c);
      }
    }
    return clean == null ? value : clean.toString();
  }
}
