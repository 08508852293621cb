package dev.parley.transport.websocket;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tests of {@link PollingProtocolTest} again, on the portable path ({@link PortablePath}): every long-poll held
 * by the servlet, as in any container, rather than on Jetty's core API.
 */
@ExtendWith(PortablePath.class)
class PortablePollingProtocolTest extends PollingProtocolTest {
}
