package dev.parley.transport.sse;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link SseRefusalTest} again, with streams on the Servlet path ({@link ServletPath}). */
@ExtendWith(ServletPath.class)
class ServletSseRefusalTest extends SseRefusalTest {
}
