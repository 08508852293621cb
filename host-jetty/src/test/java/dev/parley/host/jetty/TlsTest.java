package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.testsupport.TestCertificates;
import dev.parley.testsupport.Timeouts;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS and HTTP/2 on the embedded host: the credentials it takes, and what a client gets. */
class TlsTest {
  @TempDir
  static Path dir;
  private static TestCertificates rsa;
  private static TestCertificates ec;

  private @Nullable ChatServer server;

  @BeforeAll
  static void certificates() throws Exception {
    rsa = TestCertificates.create(dir, "RSA");
    ec = TestCertificates.create(dir, "EC");
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  /** Answers with what the servlet layer sees of the request: protocol, scheme, secure. */
  static final class Describe extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain");
      response.getWriter().print(request.getProtocol() + " " + request.getScheme() + " " + request.isSecure());
    }
  }

  private int start(JettyHostConfig.Builder host) {
    server = ChatServer.builder()
        .transport(new EchoTransport())
        .host(new JettyHost(host.servlet("/describe", new Describe()).build()))
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .start();
    return server.address().orElseThrow().getPort();
  }

  private static String get(HttpClient client, String url) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Timeouts.STEP)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static HttpClient client(TestCertificates trusted, HttpClient.Version version) throws Exception {
    return HttpClient.newBuilder().sslContext(trusted.trustingContext()).version(version)
        .connectTimeout(Timeouts.STEP).build();
  }

  @Test
  void httpsNegotiatesHttp2ByAlpnAndStillServesHttp11() throws Exception {
    int port = start(JettyHostConfig.builder().tls(Tls.pem(rsa.certificate(), rsa.key())));
    String url = "https://127.0.0.1:" + port + "/describe";

    assertThat(get(client(rsa, HttpClient.Version.HTTP_2), url)).isEqualTo("HTTP/2.0 https true");
    assertThat(get(client(rsa, HttpClient.Version.HTTP_1_1), url)).isEqualTo("HTTP/1.1 https true");
  }

  @Test
  void everyKeyFormatServes() throws Exception {
    Map<Tls, TestCertificates> served = Map.of(
        Tls.pem(ec.certificate(), ec.key()), ec,
        Tls.pem(ec.certificate(), ec.legacyKey()), ec,
        Tls.pem(rsa.certificate(), rsa.legacyKey()), rsa,
        Tls.keyStore(ec.keyStore(), TestCertificates.PASSWORD), ec);
    for (Map.Entry<Tls, TestCertificates> entry : served.entrySet()) {
      Tls tls = entry.getKey();
      TestCertificates trusted = entry.getValue();
      int port = start(JettyHostConfig.builder().tls(tls));
      assertThat(get(client(trusted, HttpClient.Version.HTTP_2), "https://127.0.0.1:" + port + "/describe"))
          .as("%s", tls).isEqualTo("HTTP/2.0 https true");
      server.close();
      server = null;
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
    int port = start(JettyHostConfig.builder().tls(Tls.pem(rsa.certificate(), rsa.key())));
    assertThatThrownBy(() -> get(client(ec, HttpClient.Version.HTTP_2), "https://127.0.0.1:" + port + "/describe"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void plainHttpOffersH2cOnlyWhenAskedAndHttpsCanTurnHttp2Off() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Timeouts.STEP).build();
    int port = start(JettyHostConfig.builder());
    String url = "http://127.0.0.1:" + port + "/describe";
    // The JDK client asks for h2c with Upgrade on its first request: refused by default, it stays on HTTP/1.1.
    get(h2, url);
    assertThat(get(h2, url)).isEqualTo("HTTP/1.1 http false");
    server.close();

    port = start(JettyHostConfig.builder().h2c(true));
    url = "http://127.0.0.1:" + port + "/describe";
    get(h2, url);
    assertThat(get(h2, url)).isEqualTo("HTTP/2.0 http false");
    server.close();

    port = start(JettyHostConfig.builder().tls(Tls.pem(rsa.certificate(), rsa.key())).http2(false));
    assertThat(get(client(rsa, HttpClient.Version.HTTP_2), "https://127.0.0.1:" + port + "/describe"))
        .isEqualTo("HTTP/1.1 https true");
  }

  @Test
  void badCredentialsFailWhenMadeNamingTheFile() throws Exception {
    assertThatThrownBy(() -> Tls.keyStore(rsa.keyStore(), "wrong"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(rsa.keyStore().toString())
        .hasMessageContaining("password");
    assertThatThrownBy(() -> Tls.pem(rsa.certificate(), ec.key()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
    Path other = Files.createDirectory(dir.resolve("other"));
    TestCertificates otherRsa = TestCertificates.create(other, "RSA");
    assertThatThrownBy(() -> Tls.pem(rsa.certificate(), otherRsa.key()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> Tls.pem(dir.resolve("missing.pem"), rsa.key()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> Tls.pem(rsa.certificate(), rsa.certificate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PEM private key");
    Path encrypted = Files.writeString(dir.resolve("encrypted.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> Tls.pem(rsa.certificate(), encrypted))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encrypted")
        .hasMessageContaining("openssl pkcs8");
    Path notACertificate = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    assertThatThrownBy(() -> Tls.pem(notACertificate, rsa.key()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty.pem");
    assertThat(Tls.pem(rsa.certificate(), rsa.key()).toString()).doesNotContain(TestCertificates.PASSWORD)
        .contains(rsa.certificate().toString());
  }
}
