package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.protocol.Arguments;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/** Compiles and runs the quickstart exactly as README.md shows it, so the two cannot drift apart. */
class QuickstartTest {

  @Test
  void readmeQuickstartCompilesAndRuns(@TempDir Path dir) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String block = readme.substring(readme.indexOf("<!-- quickstart:begin -->"), readme.indexOf("<!-- quickstart:end -->"));
    String source = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
    Path file = dir.resolve("Quickstart.java");
    Files.writeString(file, source);

    String classpath = Stream.of(ChatServer.class, Arguments.class, Mono.class, Publisher.class, JsonNode.class, JsonParser.class)
        .map(QuickstartTest::location).collect(Collectors.joining(java.io.File.pathSeparator));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    List<String> arguments = new ArrayList<>(List.of("-classpath", classpath, "-d", dir.toString(), "-proc:none",
        file.toString()));
    int status = javac.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new));
    assertThat(status).as("javac output:%n%s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("Quickstart").getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("\"text\":\"welcome\"");
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
