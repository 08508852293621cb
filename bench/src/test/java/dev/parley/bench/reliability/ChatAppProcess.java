package dev.parley.bench.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The example chat ({@code dev.parley.examples.chat.ChatApp}) in a JVM of its own, as {@code java -jar
 * parley-chat.jar} runs it but with {@code -Xmx256m}, on 127.0.0.1 and a free port, with its default
 * settings otherwise. What the test reads from outside: its GC log ({@code -Xlog:gc}, the heap after each
 * collection), whether the JVM ever threw an {@link OutOfMemoryError} ({@code -XX:OnOutOfMemoryError}
 * leaves a marker file, even when the error is caught; its stderr is kept too), and, on Linux, its threads
 * and open file descriptors ({@code /proc/<pid>}), sampled every 500 ms. The files live in a temporary
 * directory, deleted by {@link #close()}.
 */
final class ChatAppProcess implements AutoCloseable {
  static final String MAIN_CLASS = "dev.parley.examples.chat.ChatApp";
  static final int MAX_HEAP_MIB = 256;
  private static final String READY = "Parley chat is running: http://localhost:";
  // SerialGC: "GC(12) Pause Young (Allocation Failure) 84M->31M(247M) 3.456ms"
  private static final Pattern GC_LINE =
      Pattern.compile("Pause (Young|Full)[^\\n]*?(\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");

  private final Process process;
  private final int port;
  private final Path dir;
  private final ScheduledExecutorService sampler;
  private final AtomicInteger peakThreads = new AtomicInteger();
  private final AtomicInteger peakDescriptors = new AtomicInteger();

  private ChatAppProcess(Process process, int port, Path dir, ScheduledExecutorService sampler) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.sampler = sampler;
  }

  /** Starts the example and waits (up to 60 s) until it listens. */
  static ChatAppProcess start() throws Exception {
    Path dir = Files.createTempDirectory("parley-attack-");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + MAX_HEAP_MIB + "m", "-XX:+UseSerialGC",
        "-Xlog:gc:file=" + dir.resolve("gc.log") + ":uptime",
        "-XX:OnOutOfMemoryError=touch " + dir.resolve("oom"),
        "-cp", System.getProperty("java.class.path"), MAIN_CLASS, "--port", "0", "--bind", "127.0.0.1"));
    Process process = new ProcessBuilder(command)
        .redirectError(dir.resolve("stderr.log").toFile())
        .start();
    CompletableFuture<Integer> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith(READY)) {
            ready.complete(Integer.parseInt(line.substring(READY.length()).replace("/", "").strip()));
          }
        }
        ready.completeExceptionally(new IllegalStateException("the chat process ended before it listened"));
      } catch (IOException | RuntimeException e) {
        ready.completeExceptionally(e);
      }
    }, "chat-process-out");
    reader.setDaemon(true);
    reader.start();
    int port;
    try {
      port = ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the chat did not start; its stderr: " + tail(dir.resolve("stderr.log"), 20), e);
    }
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "chat-process-sampler");
      thread.setDaemon(true);
      return thread;
    });
    ChatAppProcess chat = new ChatAppProcess(process, port, dir, sampler);
    sampler.scheduleAtFixedRate(chat::sample, 0, 500, TimeUnit.MILLISECONDS);
    return chat;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  int port() {
    return port;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Whether the JVM threw an OutOfMemoryError (the marker) or one shows in its stderr. */
  boolean ranOutOfMemory() {
    return Files.exists(dir.resolve("oom")) || stderr().contains("OutOfMemoryError");
  }

  /** When the first OutOfMemoryError was thrown (the marker file's time, epoch millis), if one was. */
  java.util.Optional<Long> outOfMemoryAt() {
    try {
      return java.util.Optional.of(Files.getLastModifiedTime(dir.resolve("oom")).toMillis());
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  String stderr() {
    try {
      return Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The last {@code lines} lines of the child's stderr. */
  String stderrTail(int lines) {
    return tail(dir.resolve("stderr.log"), lines);
  }

  /** Distinct lines (without their thread) of the child's stderr that mention WARN, ERROR or an exception, at most {@code max}. */
  List<String> stderrHighlights(int max) {
    return stderr().lines()
        .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception") || l.contains("Error:"))
        .map(l -> l.replaceFirst("^\\[[^\\]]*\\] ", ""))
        .map(l -> l.length() > 240 ? l.substring(0, 240) + "…" : l)
        .distinct().limit(max).toList();
  }

  /** The heap after each collection so far, from the GC log. */
  HeapFigures heap() {
    int collections = 0;
    int full = 0;
    int peakAfter = 0;
    int peakAfterFull = 0;
    int lastAfterFull = -1;
    double pauseMillis = 0;
    double longestPauseMillis = 0;
    try {
      for (String line : Files.readAllLines(dir.resolve("gc.log"), StandardCharsets.UTF_8)) {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          collections++;
          int after = Integer.parseInt(m.group(3));
          double pause = Double.parseDouble(m.group(5));
          pauseMillis += pause;
          longestPauseMillis = Math.max(longestPauseMillis, pause);
          peakAfter = Math.max(peakAfter, after);
          if (m.group(1).equals("Full")) {
            full++;
            peakAfterFull = Math.max(peakAfterFull, after);
            lastAfterFull = after;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new HeapFigures(collections, full, peakAfter, peakAfterFull, lastAfterFull, pauseMillis,
        longestPauseMillis);
  }

  /** The CPU time the process has used so far, in seconds (Linux, {@code /proc/<pid>/stat}); -1 elsewhere. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  int peakThreads() {
    return peakThreads.get();
  }

  int peakDescriptors() {
    return peakDescriptors.get();
  }

  private void sample() {
    Path proc = Path.of("/proc", Long.toString(process.pid()));
    if (!process.isAlive() || !Files.isDirectory(proc)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("Threads:")) {
          peakThreads.accumulateAndGet(Integer.parseInt(line.substring(8).strip()), Math::max);
        }
      }
      try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
        peakDescriptors.accumulateAndGet((int) fds.count(), Math::max);
      }
    } catch (IOException | RuntimeException e) {
      // The process ended between the check and the read.
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    sampler.shutdownNow();
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(dir);
  }

  /**
   * The heap after collections, in MiB: the peak after any collection (an upper bound of what was live:
   * after a young collection the old generation still holds its garbage), and after full collections only
   * (what was live then).
   */
  record HeapFigures(int collections, int fullCollections, int peakAfterAnyMiB, int peakAfterFullMiB,
                     int lastAfterFullMiB, double pauseMillis, double longestPauseMillis) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "peak after GC %d MiB, after full GC %s (%d collections, %d full; "
              + "paused %.1f s in all, longest %.0f ms)", peakAfterAnyMiB,
          fullCollections == 0 ? "–" : peakAfterFullMiB + " MiB", collections, fullCollections, pauseMillis / 1000,
          longestPauseMillis);
    }
  }
}
