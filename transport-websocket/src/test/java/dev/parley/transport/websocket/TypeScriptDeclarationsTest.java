package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.transport.websocket.internal.NodeRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served client's TypeScript declarations under {@code tsc}: src/test/node/types/usage.ts, a page's use of
 * the client, compiles, and each line it marks {@code @ts-expect-error} is rejected for its own reason.
 */
class TypeScriptDeclarationsTest {
  private static final Path TYPES = NodeDriver.FIXTURE.resolve("types");
  private static final String TSC = "node_modules/typescript/bin/tsc";
  private static final String DIRECTIVE = "// @ts-expect-error";
  private static final Pattern ERROR_LINE = Pattern.compile("check\\.ts\\((\\d+),\\d+\\): error TS");

  @BeforeEach
  void requireTypeScript() {
    assertThat(NodeDriver.FIXTURE.resolve(TSC))
        .as("typescript is not installed: run `npm ci` in transport-websocket/src/test/node").exists();
  }

  @Test
  void theUsageSampleTypeChecks() throws Exception {
    NodeRun.Result result = NodeRun.run(NodeDriver.FIXTURE, TSC, "-p", "types/tsconfig.json");

    assertThat(result.output()).isEmpty();
    assertThat(result.exit()).isZero();
  }

  @Test
  void everyLineMarkedToFailFailsWithoutItsMarker(@TempDir Path dir) throws Exception {
    List<String> lines = Files.readAllLines(TYPES.resolve("usage.ts"));
    List<Integer> expected = new ArrayList<>();
    List<String> stripped = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.trim().startsWith(DIRECTIVE)) {
        // The error belongs to the line after the marker, numbered from 1.
        expected.add(i + 2);
        stripped.add("//");
      } else {
        stripped.add(line);
      }
    }
    Files.write(dir.resolve("check.ts"), stripped);
    Files.copy(Path.of("src/main/resources/META-INF/parley/socket.io.d.ts"), dir.resolve("socket.io.d.ts"));
    Files.writeString(dir.resolve("tsconfig.json"), Files.readString(TYPES.resolve("tsconfig.json"))
        .replace("../../../main/resources/META-INF/parley/socket.io.d.ts", "socket.io.d.ts")
        .replace("usage.ts", "check.ts"));

    NodeRun.Result result = NodeRun.run(NodeDriver.FIXTURE, TSC, "-p", dir.resolve("tsconfig.json").toString());

    List<Integer> failed = new ArrayList<>();
    Matcher error = ERROR_LINE.matcher(result.output());
    while (error.find()) {
      failed.add(Integer.parseInt(error.group(1)));
    }
    assertThat(expected).hasSizeGreaterThanOrEqualTo(8);
    assertThat(failed).as(result.output()).containsExactlyElementsOf(expected);
  }
}
