package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.testsupport.TestCertificates;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example over HTTPS and HTTP/2 from its command line, and the errors of TLS flags that do not fit. */
class ChatAppTlsTest {
  @TempDir
  Path dir;

  @Test
  void servesThePageOverHttpsAndHttp2WithPemFiles() throws Exception {
    TestCertificates certificates = TestCertificates.create(dir, "RSA");
    Options options = Options.parse(new String[] {"--port", "0", "--bind", "127.0.0.1", "--log-level", "warn",
        "--tls-cert", certificates.certificate().toString(), "--tls-key", certificates.key().toString()}, Map.of());
    try (ChatServer server = ChatApp.start(options)) {
      HttpClient http = HttpClient.newBuilder().sslContext(certificates.trustingContext())
          .connectTimeout(Timeouts.STEP).build();
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
          + server.address().orElseThrow().getPort() + "/")).timeout(Timeouts.STEP).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(page.body()).contains("<html");
    }
  }

  @Test
  void aKeyStoreTakesItsPasswordFromTheEnvironment() throws Exception {
    TestCertificates certificates = TestCertificates.create(dir, "EC");
    String[] args = {"--tls-keystore", certificates.keyStore().toString()};
    assertThat(Options.parse(args, Map.of("TLS_KEYSTORE_PASSWORD", TestCertificates.PASSWORD)).tls()).isNotNull();
    assertThatThrownBy(() -> Options.parse(args, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS_KEYSTORE_PASSWORD");
    assertThatThrownBy(() -> Options.parse(new String[] {"--tls-cert", certificates.certificate().toString()},
        Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
    assertThat(Options.parse(new String[] {"--trusted-proxies", "10.0.0.0/8, 127.0.0.1"}, Map.of())
        .trustedProxies()).containsExactly("10.0.0.0/8", "127.0.0.1");
  }
}
