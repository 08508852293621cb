package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;

/**
 * What every Engine.IO session of one transport shares, WebSocket and polling alike: its settings, the engine, the
 * codec and the heartbeats' timer. One reference in each session's {@link EngineIoPackets} rather than four.
 * Immutable.
 */
record EngineIo(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec, Heartbeats heartbeats) {
}
