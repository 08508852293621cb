package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What the shaded {@code parley-chat.jar} is built from carries Parley's licence and notice and the list of the
 * third-party libraries it bundles, each with its licence (the shade step appends the libraries' own files).
 */
class LicenceFilesTest {

  @Test
  void theJarCarriesTheLicenceTheNoticeAndTheThirdPartyList() throws IOException, URISyntaxException {
    assertThat(resource("META-INF/LICENSE")).contains("Apache License").contains("Version 2.0, January 2004");
    assertThat(resource("META-INF/NOTICE")).startsWith("Parley").contains("Apache License, Version 2.0");

    String thirdParty = resource("META-INF/THIRD-PARTY.txt");
    assertThat(thirdParty)
        .contains("org.eclipse.jetty:jetty-server")
        .contains("org.mongodb:mongodb-driver-core")
        .contains("tools.jackson.core:jackson-databind")
        .contains("io.projectreactor:reactor-core")
        .as("Parley's own modules are not third-party")
        .doesNotContain("dev.parley:");
  }

  /** A file of the example's own output (the input of the shade step), not a like-named one of a library. */
  private static String resource(String name) throws IOException, URISyntaxException {
    Path classes = Path.of(ChatApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return Files.readString(classes.resolve(name), StandardCharsets.UTF_8);
  }
}
