package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A trusted reverse proxy's word on the client (address, scheme, host), believed from a trusted peer only, and
 * the rightmost untrusted address of the chain taken as the client, so a client cannot put words in its mouth.
 */
class ForwardedHeadersTest {
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Timeouts.STEP).build();

  private @Nullable ChatServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  /** What the Servlet layer, which the transports read, sees of the request. */
  static final class Describe extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.getWriter().print(request.getRemoteAddr() + " " + request.getScheme() + " " + request.isSecure()
          + " " + request.getServerName() + ":" + request.getServerPort());
    }
  }

  private String start(String... trusted) {
    server = ChatServer.builder()
        .transport(new EchoTransport())
        .host(new JettyHost(JettyHostConfig.builder().trustedProxies(trusted)
            .servlet("/describe", new Describe()).build()))
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .start();
    return "http://127.0.0.1:" + server.address().orElseThrow().getPort() + "/describe";
  }

  private static String describe(String url, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Timeouts.STEP);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void aTrustedProxysHeadersNameTheClient() throws Exception {
    String url = start("127.0.0.1");
    assertThat(describe(url, "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "chat.example")).isEqualTo("203.0.113.9 https true chat.example:443");
    assertThat(describe(url, "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https;host=chat.example:8443"))
        .isEqualTo("[2001:db8:0:0:0:0:0:7] https true chat.example:8443");
    assertThat(describe(url, "X-Forwarded-For", "198.51.100.4")).as("no proto: the connection's")
        .startsWith("198.51.100.4 http false 127.0.0.1:");
  }

  @Test
  void fromAnUntrustedPeerTheHeadersAreIgnored() throws Exception {
    String url = start("10.0.0.0/8");
    assertThat(describe(url, "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "chat.example", "Forwarded", "for=203.0.113.9;proto=https"))
        .startsWith("127.0.0.1 http false 127.0.0.1:");
  }

  @Test
  void withoutTrustedProxiesTheHeadersAreIgnored() throws Exception {
    String url = start();
    assertThat(describe(url, "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https"))
        .startsWith("127.0.0.1 http false 127.0.0.1:");
  }

  @Test
  void theClientIsTheRightmostAddressNoTrustedProxyAdded() {
    ForwardedHeaders headers = new ForwardedHeaders(TrustedProxies.parse(List.of("10.0.0.0/8", "fd00::/8")));
    // The client wrote "1.2.3.4" itself; the edge proxy 10.0.0.1 appended the address it saw, 203.0.113.9.
    assertThat(headers.client(fields("X-Forwarded-For", "1.2.3.4, 203.0.113.9, 10.0.0.1")).address())
        .isEqualTo("203.0.113.9");
    assertThat(headers.client(fields("Forwarded", "for=1.2.3.4, for=203.0.113.9;proto=https, for=\"[fd00::1]\""))
        .address()).isEqualTo("203.0.113.9");
    assertThat(headers.client(fields("Forwarded", "for=1.2.3.4, for=203.0.113.9;proto=https, for=\"[fd00::1]\""))
        .proto()).isEqualTo("https");
    // Every hop a trusted proxy: the leftmost is the client.
    assertThat(headers.client(fields("X-Forwarded-For", "10.1.1.1, 10.0.0.1")).address()).isEqualTo("10.1.1.1");
    // An obfuscated or unknown node has no address: the request keeps the proxy's.
    assertThat(headers.client(fields("Forwarded", "for=unknown")).address()).isNull();
    assertThat(headers.client(fields("Forwarded", "for=_hidden, for=10.0.0.2")).address()).isNull();
    // Headers on two lines are one list.
    assertThat(headers.client(fields("X-Forwarded-For", "1.2.3.4", "X-Forwarded-For", "203.0.113.9")).address())
        .isEqualTo("203.0.113.9");
    assertThat(headers.client(fields("Via", "1.1 proxy"))).isNull();
  }

  @Test
  void trustedProxiesAreIpAddressesOrCidrRanges() {
    TrustedProxies proxies = TrustedProxies.parse(List.of("192.168.1.0/24", "::1", "10.0.0.7"));
    assertThat(proxies.trusts("192.168.1.200")).isTrue();
    assertThat(proxies.trusts("192.168.2.1")).isFalse();
    assertThat(proxies.trusts("[::1]")).isTrue();
    assertThat(proxies.trusts("::ffff:10.0.0.7")).as("an IPv4-mapped IPv6 address").isTrue();
    assertThat(proxies.trusts("10.0.0.8")).isFalse();
    assertThat(proxies.trusts("localhost")).as("never a name lookup").isFalse();
    assertThat(TrustedProxies.parse(List.of("0.0.0.0/0")).trusts("8.8.8.8")).isTrue();
    assertThatThrownBy(() -> JettyHostConfig.builder().trustedProxies("proxy.internal").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> JettyHostConfig.builder().trustedProxies("10.0.0.0/33").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..32");
  }

  private static HttpFields fields(String... pairs) {
    HttpFields.Mutable fields = HttpFields.build();
    for (int i = 0; i < pairs.length; i += 2) {
      fields.add(pairs[i], pairs[i + 1]);
    }
    return fields;
  }
}
