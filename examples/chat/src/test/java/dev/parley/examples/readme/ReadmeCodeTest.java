package dev.parley.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code block of README.md and the modules' READMEs ({@link Readme#FILES}) is checked by what reads its language: Java by javac (a whole class as it is,
 * a fragment as the body of a method whose parameters are the block's {@code <!-- given: ... -->} comment),
 * JavaScript and the scripts of HTML by {@code node --check}, XML by a parser, shell by {@code bash -n}.
 * The blocks that run are run elsewhere: the quickstart by {@code QuickstartTest}, the tutorial's app and page
 * by {@code TutorialAppTest} and {@code TutorialAppE2ETest}.
 */
class ReadmeCodeTest {
  private static final Pattern PUBLIC_CLASS = Pattern.compile("(?m)^public (?:final )?class (\\w+)");
  private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
  /** What a fragment may use without importing it. */
  private static final List<String> FRAGMENT_IMPORTS = List.of("dev.parley", "dev.parley.error", "dev.parley.spi",
      "dev.parley.host.jetty", "dev.parley.transport.websocket", "dev.parley.transport.sse", "dev.parley.store.memory",
      "dev.parley.store.mongo", "dev.parley.mongo.embedded", "dev.parley.client", "dev.parley.test", "java.util",
      "java.time", "java.net", "java.nio.file", "jakarta.servlet", "jakarta.servlet.http", "tools.jackson.databind",
      "reactor.core.publisher", "dev.parley.micrometer", "io.micrometer.core.instrument");

  @Test
  void everyBlockNamesItsLanguage() {
    assertThat(Readme.blocks()).filteredOn(block -> block.language().isEmpty()).isEmpty();
    assertThat(Readme.blocks()).extracting(Readme.Block::language)
        .allMatch(language -> List.of("java", "js", "html", "xml", "sh", "text").contains(language));
  }

  @Test
  void everyJavaBlockCompiles(@TempDir Path dir) throws Exception {
    List<Path> sources = new ArrayList<>();
    for (Readme.Block block : blocks("java")) {
      Matcher whole = PUBLIC_CLASS.matcher(block.text());
      Path folder = Files.createDirectories(dir.resolve(block.file().replace('/', '_') + block.line()));
      if (whole.find()) {
        sources.add(Files.writeString(folder.resolve(whole.group(1) + ".java"), block.text()));
      } else {
        String name = "Readme" + block.file().replaceAll("[^A-Za-z]", "") + block.line();
        StringBuilder source = new StringBuilder();
        FRAGMENT_IMPORTS.forEach(pkg -> source.append("import ").append(pkg).append(".*;\n"));
        source.append("import tools.jackson.databind.JsonNode;\nimport dev.parley.test.ReceivedEvent;\n")
            .append("class ").append(name).append(" {\n  void run(").append(block.given())
            .append(") throws Exception {\n").append(block.text()).append("  }\n}\n");
        sources.add(Files.writeString(folder.resolve(name + ".java"), source));
      }
    }
    assertThat(sources).hasSizeGreaterThanOrEqualTo(12);
    assertThat(Readme.compile(sources, Files.createDirectories(dir.resolve("classes")))).isEmpty();
  }

  @Test
  void everyScriptParses(@TempDir Path dir) throws Exception {
    int checked = 0;
    for (Readme.Block block : blocks("js")) {
      // Modules: the blocks import from "socket.io-client" and await at the top level.
      assertThat(node(Files.writeString(dir.resolve("block" + block.line() + block.file().length() + ".mjs"), block.text()))).as(block.toString()).isEmpty();
      checked++;
    }
    for (Readme.Block block : blocks("html")) {
      Matcher script = INLINE_SCRIPT.matcher(block.text());
      assertThat(script.find()).as("%s has a script", block).isTrue();
      do {
        Path file = dir.resolve("block" + block.line() + block.file().length() + "-" + script.start() + ".js");
        assertThat(node(Files.writeString(file, script.group(1)))).as(block.toString()).isEmpty();
        checked++;
      } while (script.find());
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyXmlBlockParses() throws Exception {
    for (Readme.Block block : blocks("xml")) {
      DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new ByteArrayInputStream(("<root>" + block.text() + "</root>").getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(blocks("xml")).isNotEmpty();
  }

  @Test
  void everyShellBlockParses(@TempDir Path dir) throws Exception {
    for (Readme.Block block : blocks("sh")) {
      Path file = Files.writeString(dir.resolve("block" + block.line() + block.file().length() + ".sh"), block.text());
      assertThat(run("bash", "-n", file.toString())).as(block.toString()).isEmpty();
    }
    assertThat(blocks("sh")).hasSizeGreaterThanOrEqualTo(3);
  }

  private static List<Readme.Block> blocks(String language) {
    return Readme.blocks().stream().filter(block -> block.language().equals(language)).toList();
  }

  private static String node(Path file) throws Exception {
    return run("node", "--check", file.toString());
  }

  /** Runs a command; returns its output if it failed, else "". */
  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() == 0 ? "" : new String(output, StandardCharsets.UTF_8);
  }
}
