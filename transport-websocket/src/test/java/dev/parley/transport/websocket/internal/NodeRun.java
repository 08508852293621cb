package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.fail;

import dev.parley.testsupport.Timeouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Node.js once on files, for tests of the JavaScript and TypeScript the transport ships. */
public final class NodeRun {
  private NodeRun() {
  }

  /** What a run printed (standard output and error together) and its exit code. */
  public record Result(int exit, String output) {
  }

  /**
   * Runs {@code node args…} in {@code directory}, within {@link Timeouts#SLOW}; fails the test if Node is not
   * installed or the run does not end in time.
   */
  public static Result run(Path directory, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("node");
    command.addAll(List.of(args));
    // To a file, so that a long output cannot fill a pipe nobody reads while the test waits for the exit.
    Path output = Files.createTempFile("node-run", ".txt");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
      } catch (IOException e) {
        return fail("Node.js is not installed: install Node.js 18+ (Debian: apt-get install -y nodejs npm)", e);
      }
      process.getOutputStream().close();
      if (!process.waitFor(Timeouts.SLOW.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return fail("node %s did not end within %s", String.join(" ", args), Timeouts.SLOW);
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
