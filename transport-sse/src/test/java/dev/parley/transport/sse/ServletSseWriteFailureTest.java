package dev.parley.transport.sse;

import org.junit.jupiter.api.extension.ExtendWith;

/** The tests of {@link SseWriteFailureTest} again, with streams on the Servlet path ({@link ServletPath}). */
@ExtendWith(ServletPath.class)
class ServletSseWriteFailureTest extends SseWriteFailureTest {
}
