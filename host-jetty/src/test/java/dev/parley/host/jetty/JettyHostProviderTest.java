package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServerConfig;
import dev.parley.spi.HostProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JettyHostProviderTest {

  @Test
  void serviceLoaderFindsJettyHost() {
    assertThat(ServiceLoader.load(HostProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(provider -> {
          assertThat(provider).isInstanceOf(JettyHostProvider.class);
          assertThat(provider.name()).isEqualTo("jetty");
        });
  }

  @Test
  void providerCreatesUnstartedHostWithDefaults() {
    JettyHost host = (JettyHost) new JettyHostProvider()
        .create(JettyHostTest.context(ChatServerConfig.defaults()));

    assertThat(host.config()).isEqualTo(JettyHostConfig.defaults());
    assertThat(host.address()).isEmpty();
  }
}
