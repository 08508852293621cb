package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JettyHostConfigTest {

  @Test
  void defaultsServeNoFilesWithBoundedPool() {
    JettyHostConfig config = JettyHostConfig.defaults();

    assertThat(config.staticResources()).isNull();
    assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxThreads()).isEqualTo(200);
    assertThat(config.minThreads()).isEqualTo(4);
    assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxConnectionsPerAddress()).isEqualTo(JettyHostConfig.PER_ADDRESS_FROM_SERVER);
  }

  @Test
  void connectionsPerAddressAreTwiceTheServersUnlessSet() {
    assertThat(JettyHostConfig.defaults().connectionsPerAddress(1000)).isEqualTo(2000);
    assertThat(JettyHostConfig.defaults().connectionsPerAddress(Integer.MAX_VALUE))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(JettyHostConfig.builder().maxConnectionsPerAddress(5).build().connectionsPerAddress(1000))
        .isEqualTo(5);
  }

  @Test
  void toBuilderCopiesEverySetting() {
    JettyHostConfig config = JettyHostConfig.builder()
        .staticResources("static/")
        .stopTimeout(Duration.ofSeconds(3))
        .maxThreads(16)
        .minThreads(2)
        .idleTimeout(Duration.ofSeconds(7))
        .requestHeaderTimeout(Duration.ofSeconds(3))
        .maxConnectionsPerAddress(12)
        .build();

    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void staticResourcesNameClasspathFolderOrDirectory() {
    assertThat(JettyHostConfig.builder().staticResources("/static/").build().staticResources())
        .isEqualTo(new StaticResources.Classpath("static/"));
    assertThat(JettyHostConfig.builder().staticResources(Path.of("site")).build().staticResources())
        .isEqualTo(new StaticResources.Directory(Path.of("site")));
  }

  @Test
  void rejectsBlankOrRootClasspathFolder() {
    assertThatThrownBy(() -> StaticResources.classpath("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a static resources folder must be named, such as \"static/\"");
    assertThatThrownBy(() -> StaticResources.classpath(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNonPositiveStopTimeout() {
    assertThatThrownBy(() -> JettyHostConfig.builder().stopTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stopTimeout must be positive: PT0S");
  }

  @Test
  void rejectsNonPositiveIdleTimeout() {
    assertThatThrownBy(() -> JettyHostConfig.builder().idleTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idleTimeout must be positive: PT-0.001S");
    assertThatThrownBy(() -> JettyHostConfig.builder().idleTimeout(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("idleTimeout");
  }

  @Test
  void rejectsNonPositiveRequestHeaderTimeout() {
    assertThatThrownBy(() -> JettyHostConfig.builder().requestHeaderTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestHeaderTimeout must be positive: PT0S");
    assertThatThrownBy(() -> JettyHostConfig.builder().requestHeaderTimeout(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("requestHeaderTimeout");
  }

  @Test
  void rejectsNegativeConnectionsPerAddress() {
    assertThatThrownBy(() -> JettyHostConfig.builder().maxConnectionsPerAddress(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConnectionsPerAddress must be at least 1, or 0 for twice the server's: -1");
  }

  @Test
  void rejectsTooFewThreads() {
    assertThatThrownBy(() -> JettyHostConfig.builder().maxThreads(4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxThreads must be at least 8: 4");
    assertThatThrownBy(() -> JettyHostConfig.builder().maxThreads(8).minThreads(9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minThreads must be 1..8 (maxThreads): 9");
    assertThatThrownBy(() -> JettyHostConfig.builder().minThreads(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minThreads must be 1..200 (maxThreads): 0");
  }
}
