package dev.parley.spring.boot.autoconfigure;

import static dev.parley.spring.boot.autoconfigure.ParleyAutoConfiguration.set;

import dev.parley.spi.Transport;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;

/**
 * The transports made from the properties, each in a nested class that the JVM loads (and verifies) only when
 * that transport is asked for, which the auto-configuration's conditions do only when its module is there.
 */
final class Transports {
  private Transports() {}

  static Transport websocket(ParleyProperties properties) {
    return WebSocket.create(properties);
  }

  static Transport sse(ParleyProperties properties) {
    return Sse.create(properties);
  }

  private static final class WebSocket {
    static Transport create(ParleyProperties properties) {
      ParleyProperties.WebSocket ws = properties.getWebsocket();
      WebSocketTransportConfig.Builder config = WebSocketTransportConfig.builder();
      set(ws.getPath(), config::path);
      set(ws.getPingInterval(), config::pingInterval);
      set(ws.getPingTimeout(), config::pingTimeout);
      set(ws.getMaxPayload(), config::maxPayload);
      set(ws.getPolling(), config::polling);
      set(ws.getServeClient(), config::serveClient);
      if (!properties.getAllowedOrigins().isEmpty()) {
        config.allowedOrigins(properties.getAllowedOrigins());
      }
      return new WebSocketTransport(config.build());
    }
  }

  private static final class Sse {
    static Transport create(ParleyProperties properties) {
      ParleyProperties.Sse sse = properties.getSse();
      SseTransportConfig.Builder config = SseTransportConfig.builder();
      set(sse.getPath(), config::path);
      set(sse.getHeartbeatInterval(), config::heartbeatInterval);
      set(sse.getMaxPostBody(), config::maxPostBody);
      if (!properties.getAllowedOrigins().isEmpty()) {
        config.allowedOrigins(properties.getAllowedOrigins());
      }
      return new SseTransport(config.build());
    }
  }
}
