package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.error.ParleyException;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticResourcesTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Timeouts.STEP).build();

  private @Nullable ChatServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private ChatServer start(JettyHostConfig config) {
    server = ChatServer.builder()
        .host(new JettyHost(config))
        .transport(new EchoTransport())
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .start();
    return server;
  }

  @Test
  void classpathFolderServesIndexAtRoot() throws Exception {
    ChatServer started = start(JettyHostConfig.builder().staticResources("www/").build());

    HttpResponse<String> response = get(started, "/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/html"));
    assertThat(response.body()).contains("<h1>Parley static page</h1>");
  }

  @Test
  void classpathFolderServesNestedFiles() throws Exception {
    ChatServer started = start(JettyHostConfig.builder().staticResources("/www").build());

    HttpResponse<String> response = get(started, "/css/site.css");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/css"));
    assertThat(response.body()).isEqualTo("body { color: teal; }\n");
  }

  @Test
  void missingFileIsNotFoundAndDirectoriesAreNotListed() throws Exception {
    ChatServer started = start(JettyHostConfig.builder().staticResources("www/").build());

    assertThat(get(started, "/missing.txt").statusCode()).isEqualTo(404);
    assertThat(get(started, "/css/").statusCode()).isIn(403, 404);
  }

  @Test
  void transportPathsTakePrecedenceOverStaticFiles() throws Exception {
    ChatServer started = start(JettyHostConfig.builder().staticResources("www/").build());

    HttpResponse<String> response = get(started, "/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from a servlet");
  }

  @Test
  void directoryServesIndexAtRoot(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("index.html"), "<p>from a directory</p>");
    ChatServer started = start(JettyHostConfig.builder().staticResources(root).build());

    HttpResponse<String> response = get(started, "/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("<p>from a directory</p>");
  }

  @Test
  void missingClasspathFolderFailsStart() {
    assertThatThrownBy(() -> start(JettyHostConfig.builder().staticResources("no-such-folder/").build()))
        .isInstanceOf(ParleyException.class)
        .hasMessage("static resources folder not found on the class path: \"no-such-folder/\"");
  }

  @Test
  void missingDirectoryFailsStart(@TempDir Path root) {
    Path missing = root.resolve("absent");

    assertThatThrownBy(() -> start(JettyHostConfig.builder().staticResources(missing).build()))
        .isInstanceOf(ParleyException.class)
        .hasMessage("static resources directory not found: " + missing.toAbsolutePath());
  }

  private static HttpResponse<String> get(ChatServer server, String path) throws Exception {
    int port = server.address().orElseThrow().getPort();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Timeouts.STEP)
        .GET()
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
