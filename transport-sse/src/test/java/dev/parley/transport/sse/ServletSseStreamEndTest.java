package dev.parley.transport.sse;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link SseStreamEndTest} again, with streams on the Servlet path ({@link ServletPath}). */
@ExtendWith(ServletPath.class)
class ServletSseStreamEndTest extends SseStreamEndTest {
}
