package dev.parley.transport.websocket;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link WebSocketJavaClientTest} again, on the portable Jakarta path ({@link PortablePath}). */
@ExtendWith(PortablePath.class)
class PortableWireJavaClientTest extends WebSocketJavaClientTest {
}
