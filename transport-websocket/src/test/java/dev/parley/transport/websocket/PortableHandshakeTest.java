package dev.parley.transport.websocket;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link HandshakeTest} again, on the portable Jakarta path ({@link PortablePath}). */
@ExtendWith(PortablePath.class)
class PortableHandshakeTest extends HandshakeTest {
}
