package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parley.ChatServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official socket.io-client 4.8 under Node against Parley: src/test/node/scenario.mjs, installed by
 * {@code npm ci} in that folder (as .ci/run does).
 */
class WebSocketNodeClientTest {
  private static final Path FIXTURE = Path.of("src", "test", "node");

  @Test
  void officialClientRunsTheWholeScenario() throws Exception {
    try (ChatServer server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { })) {
      assertThat(scenario(SocketIoTestApp.url(server))).contains("ok transport websocket");
    }
  }

  /**
   * Runs scenario.mjs against {@code url} with the client options given (none: WebSocket only) and checks that
   * every step passed.
   *
   * @return what the scenario printed
   */
  static String scenario(String url, String... options) throws Exception {
    requireNode();
    List<String> command = new ArrayList<>(List.of("node", "scenario.mjs", url));
    command.addAll(List.of(options));
    Process node = new ProcessBuilder(command)
        .directory(FIXTURE.toFile())
        .redirectErrorStream(true)
        .start();
    boolean finished = node.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      node.destroyForcibly();
    }
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(finished).as("node finished; output:%n%s", output).isTrue();
    assertThat(node.exitValue()).as("node exit code; output:%n%s", output).isZero();
    assertThat(output).contains("ok connect", "ok ack", "ok broadcast", "ok direct", "ok binary",
        "ok server-ack", "ok namespace", "ok rejected", "ok invalid-namespace", "ok server-disconnect", "ok recovery over", "done");
    return output;
  }

  private static void requireNode() throws InterruptedException {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        fail("`node --version` failed: install Node.js 18+ (Debian: apt-get install -y nodejs npm)");
      }
    } catch (IOException e) {
      fail("Node.js is not installed: install Node.js 18+ (Debian: apt-get install -y nodejs npm), "
          + "then run `npm ci` in transport-websocket/src/test/node");
    }
    if (!Files.isDirectory(FIXTURE.resolve("node_modules").resolve("socket.io-client"))) {
      fail("socket.io-client is not installed: run `npm ci` in transport-websocket/src/test/node");
    }
  }
}
