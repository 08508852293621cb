package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parley.testsupport.Timeouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node scripts of {@code bench/node} (the load generators of {@code bench/run.sh}) from a test. Needs
 * Node.js and {@code npm ci} in {@code bench/node} (CI does both).
 */
final class NodeScripts {
  private NodeScripts() {
  }

  /** The first line of a successful run of node on a script of bench/node; fails the test otherwise. */
  static String node(String... args) throws IOException, InterruptedException {
    Process process = start(args);
    if (!process.waitFor(Timeouts.SLOW.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      return fail("node %s did not end within %s", String.join(" ", args), Timeouts.SLOW);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("node's exit; it printed:%n%s", output).isZero();
    return output.lines().findFirst().orElseThrow();
  }

  /** Node on a script of bench/node, its standard error merged into its output. */
  static Process start(String... args) throws IOException {
    Path scripts = Path.of("node");
    if (!Files.isDirectory(scripts.resolve("node_modules"))) {
      fail("bench/node has no node_modules: run npm ci in bench/node");
    }
    try {
      // Small outputs (two lines): the pipe cannot fill while the test waits for the exit.
      List<String> command = new ArrayList<>();
      command.add("node");
      command.addAll(List.of(args));
      return new ProcessBuilder(command).directory(scripts.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return fail("Node.js is not installed: install Node.js 18+ (Debian: apt-get install -y nodejs npm)", e);
    }
  }
}
