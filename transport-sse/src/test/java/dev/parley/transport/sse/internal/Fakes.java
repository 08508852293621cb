package dev.parley.transport.sse.internal;

import dev.parley.spi.Connection;
import java.lang.reflect.Proxy;
import java.util.Queue;
import java.util.function.BiFunction;

/** The stream tests' stand-ins: interfaces answered by a function, and write callbacks that record. */
final class Fakes {
  private Fakes() {
  }

  /** An instance of {@code type} whose methods {@code answer} by name and arguments (false for a null boolean). */
  @SuppressWarnings("unchecked")
  static <T> T of(Class<T> type, BiFunction<String, Object[], Object> answer) {
    return (T) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {type},
        (self, method, args) -> {
          if (method.getName().equals("toString")) {
            return type.getSimpleName();
          }
          Object value = answer.apply(method.getName(), args);
          if (value == null && method.getReturnType() == boolean.class) {
            return false;
          }
          return value;
        });
  }

  /** A callback that adds {@code "name: written"} or {@code "name: failed ErrorClass"} to {@code lines}. */
  static Connection.WriteCallback recording(Queue<String> lines, String name) {
    return new Connection.WriteCallback() {
      @Override
      public void written() {
        lines.add(name + ": written");
      }

      @Override
      public void failed(Throwable error) {
        lines.add(name + ": failed " + error.getClass().getSimpleName());
      }
    };
  }
}
