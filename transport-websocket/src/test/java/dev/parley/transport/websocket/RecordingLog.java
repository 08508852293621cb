package dev.parley.transport.websocket;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what slf4j-simple writes to {@code System.err} while it is open, with the named loggers turned
 * to DEBUG (the tests run at WARN). slf4j-simple fixes a logger's level when it is created, so the level is
 * set on the logger itself, reflectively; {@link #close()} puts levels and {@code System.err} back.
 */
final class RecordingLog implements AutoCloseable {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream original = System.err;
  private final Map<Logger, Integer> levels = new LinkedHashMap<>();

  private RecordingLog(String... loggers) {
    for (String name : loggers) {
      Logger logger = LoggerFactory.getLogger(name);
      levels.put(logger, setLevel(logger, debugLevel(logger)));
    }
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
  }

  /** Starts recording, with these loggers at DEBUG. */
  static RecordingLog debug(String... loggers) {
    return new RecordingLog(loggers);
  }

  /** Everything written so far. */
  String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setErr(original);
    levels.forEach(RecordingLog::setLevel);
  }

  private static int debugLevel(Logger logger) {
    try {
      Field debug = field(logger.getClass(), "LOG_LEVEL_DEBUG");
      return debug.getInt(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("expected slf4j-simple, not " + logger.getClass().getName(), e);
    }
  }

  private static int setLevel(Logger logger, int level) {
    try {
      Field current = field(logger.getClass(), "currentLogLevel");
      int before = current.getInt(logger);
      current.setInt(logger, level);
      return before;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("expected slf4j-simple, not " + logger.getClass().getName(), e);
    }
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }
}
