package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.error.ParleyException;
import dev.parley.testsupport.Timeouts;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The application's own servlets, filters and Jetty handlers on the host's port, beside a transport. */
class AppRoutesTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Timeouts.STEP).build();

  private final EchoTransport transport = new EchoTransport();
  private final List<String> filtered = new ArrayList<>();
  private @Nullable ChatServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private String base(JettyHostConfig config) {
    server = ChatServer.builder()
        .transport(transport)
        .host(new JettyHost(config))
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .start();
    return "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  @Test
  void servletsFiltersAndHandlersShareThePortWithTheTransport() throws Exception {
    Filter audit = (request, response, chain) -> {
      synchronized (filtered) {
        filtered.add(((HttpServletRequest) request).getRequestURI());
      }
      chain.doFilter(request, response);
    };
    Handler.Abstract health = new Handler.Abstract() {
      @Override
      public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
        if (!request.getHttpURI().getPath().equals("/health")) {
          return false;
        }
        response.setStatus(200);
        Content.Sink.write(response, true, "up", callback);
        return true;
      }
    };
    String base = base(JettyHostConfig.builder()
        .servlet("/login", new LoginServlet())
        .filter("/api/*", audit)
        .servlet("/api/*", new LoginServlet())
        .handler(health)
        .build());

    HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login?user=alice"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.body()).isEqualTo("hello alice");
    assertThat(login.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).startsWith("user=alice"));

    assertThat(get(base + "/api/me").body()).isEqualTo("hello nobody");
    assertThat(filtered).containsExactly("/api/me");

    HttpResponse<String> health1 = get(base + "/health");
    assertThat(health1.statusCode()).isEqualTo(200);
    assertThat(health1.body()).contains("up");

    HttpResponse<String> transportServlet = get(base + "/hello");
    assertThat(transportServlet.statusCode()).isEqualTo(200);
    assertThat(get(base + "/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void aFilterOnEveryPathLeavesATransportsAsyncStreamWorking() throws Exception {
    Filter everything = (request, response, chain) -> {
      synchronized (filtered) {
        filtered.add(((HttpServletRequest) request).getRequestURI());
      }
      chain.doFilter(request, response);
    };
    String base = base(JettyHostConfig.builder().filter("/*", everything).build());

    HttpResponse<java.util.stream.Stream<String>> stream = http.send(
        HttpRequest.newBuilder(URI.create(base + "/stream")).build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.body().limit(2)).containsExactly("tick", "tick");
    assertThat(filtered).contains("/stream");
  }

  @Test
  void aServletOnATransportsPathIsRefusedAtStart() {
    assertThatThrownBy(() -> base(JettyHostConfig.builder().servlet("/hello", new LoginServlet()).build()))
        .isInstanceOf(ParleyException.class)
        .hasMessageContaining("/hello");
  }

  @Test
  void aServletAtTheRootBesideTheStaticFilesIsRefusedAtStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) {
    assertThatThrownBy(() -> base(JettyHostConfig.builder().staticResources(files).servlet("/", new LoginServlet()).build()))
        .isInstanceOf(ParleyException.class)
        .hasMessageContaining("\"/\"");
  }

  @Test
  void pathSpecsAreChecked() {
    JettyHostConfig.Builder builder = JettyHostConfig.builder();
    assertThatThrownBy(() -> builder.servlet("login", new LoginServlet()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"login\"");
    assertThatThrownBy(() -> builder.servlet("/a/*/b", new LoginServlet()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.filter("/api/*", null)).isInstanceOf(NullPointerException.class);
    assertThat(builder.servlet("/api/*", new LoginServlet()).servlet("*.json", new LoginServlet()).build().routes())
        .hasSize(2);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sets a cookie on POST and greets the cookie's user on GET. */
  private static final class LoginServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String user = request.getParameter("user");
      response.addHeader("Set-Cookie", "user=" + user + "; Path=/; HttpOnly");
      response.getWriter().write("hello " + user);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String user = "nobody";
      if (request.getCookies() != null) {
        for (var cookie : request.getCookies()) {
          if (cookie.getName().equals("user")) {
            user = cookie.getValue();
          }
        }
      }
      response.getWriter().write("hello " + user);
    }
  }
}
