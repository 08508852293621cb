package dev.parley.examples.readme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** The repository's README.md read as its fenced code blocks, and javac over them. */
public final class Readme {
  private static final Pattern GIVEN = Pattern.compile("<!-- given: (.*) -->");

  /**
   * A fenced block.
   *
   * @param line the line of its opening fence, 1-based
   * @param language what follows the opening fence ({@code ""} if nothing)
   * @param given the declarations of a {@code <!-- given: ... -->} comment on the line before, or {@code ""}
   * @param text the lines between the fences
   */
  public record Block(String file, int line, String language, String given, String text) {
    @Override
    public String toString() {
      return file + ":" + line + " (" + language + ")";
    }
  }

  /** The READMEs whose code blocks are checked: the repository's and the modules'. */
  public static final List<String> FILES = List.of("README.md", "store-mongo/README.md");

  private Readme() {
  }

  public static String text() {
    return text("README.md");
  }

  /** A file of the repository, by its path from the root. */
  public static String text(String file) {
    try {
      return Files.readString(Path.of("..", "..").resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The code blocks of every file of {@link #FILES}. */
  public static List<Block> blocks() {
    List<Block> blocks = new ArrayList<>();
    FILES.forEach(file -> blocks.addAll(blocks(file)));
    return blocks;
  }

  private static List<Block> blocks(String file) {
    List<String> lines = text(file).lines().toList();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).startsWith("```")) {
        continue;
      }
      String language = lines.get(i).substring(3).strip();
      Matcher given = i > 0 ? GIVEN.matcher(lines.get(i - 1)) : null;
      int start = i;
      StringBuilder body = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
        body.append(lines.get(i)).append('\n');
      }
      blocks.add(new Block(file, start + 1, language, given != null && given.matches() ? given.group(1) : "", body.toString()));
    }
    return blocks;
  }

  /** The text between {@code <!-- name:begin -->} and {@code <!-- name:end -->}, inside its fences. */
  public static String marked(String name) {
    String readme = text();
    String section = readme.substring(readme.indexOf("<!-- " + name + ":begin -->"), readme.indexOf("<!-- " + name + ":end -->"));
    int open = section.indexOf("```");
    return section.substring(section.indexOf('\n', open) + 1, section.lastIndexOf("```"));
  }

  /** Compiles the sources into {@code out} on this JVM's class path; returns javac's output, empty if it passed. */
  public static String compile(List<Path> sources, Path out) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> arguments = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
        "-d", out.toString(), "-proc:none", "-Xlint:none", "-nowarn"));
    sources.forEach(source -> arguments.add(source.toString()));
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status = javac.run(null, output, output, arguments.toArray(String[]::new));
    return status == 0 ? "" : output.toString(StandardCharsets.UTF_8);
  }

  /** A loader for classes compiled into {@code out}. */
  public static URLClassLoader loader(Path out) throws IOException {
    return new URLClassLoader(new URL[] {out.toUri().toURL()}, Readme.class.getClassLoader());
  }
}
