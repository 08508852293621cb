package dev.parley.bench.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ReliabilityNode} in a JVM of its own, on this JVM's class path, so that a test can kill it
 * with SIGKILL: no shutdown hook, no graceful close, its sockets reset by the kernel. Its log goes to this
 * process's stderr.
 */
final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private NodeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a node on {@code database} and waits (up to 60 s) until it listens. */
  static NodeProcess start(String mongoUri, String database) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ReliabilityNode.class.getName(), mongoUri, database)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    CompletableFuture<Integer> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith(ReliabilityNode.READY)) {
            ready.complete(Integer.parseInt(line.substring(ReliabilityNode.READY.length()).strip()));
          }
        }
        ready.completeExceptionally(new IllegalStateException("the node process ended before it listened"));
      } catch (IOException | RuntimeException e) {
        ready.completeExceptionally(e);
      }
    }, "node-process-out");
    reader.setDaemon(true);
    reader.start();
    try {
      return new NodeProcess(process, ready.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  long pid() {
    return process.pid();
  }

  /** Kills the process with SIGKILL and waits until it is gone; returns its exit status (137). */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + process.pid() + " did not die");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
