package dev.parley.transport.websocket;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link WebSocketProtocolTest} again, on the portable Jakarta path ({@link PortablePath}). */
@ExtendWith(PortablePath.class)
class PortableWebSocketProtocolTest extends WebSocketProtocolTest {
}
