package dev.parley.host.jetty;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a {@link JettyHost} finds the static files it serves at {@code /}: a folder on the class path
 * or a directory on the file system. Requests for a directory get its {@code index.html}; directory
 * listings are never served. Paths a transport mounts (such as {@code /socket.io/}) take precedence.
 */
public sealed interface StaticResources {

  /**
   * Static files from a folder on the class path, such as {@code "static/"} (a leading {@code /} is
   * ignored). The folder may be in a jar. It is looked up with the thread context class loader of the
   * thread that starts the host, then with Jetty's.
   *
   * <p>On the module path a resource folder whose name is a legal package name (such as {@code web})
   * is encapsulated in its module; name it so it is not one ({@code static}, {@code public},
   * {@code web-root}) or open that package.
   *
   * @throws IllegalArgumentException if {@code folder} is blank
   */
  static StaticResources classpath(String folder) {
    return new Classpath(folder);
  }

  /** Static files from a directory on the file system; it must exist when the host starts. */
  static StaticResources directory(Path directory) {
    return new Directory(directory);
  }

  /**
   * A folder on the class path.
   *
   * @param folder the folder's resource name, without a leading {@code /}
   */
  record Classpath(String folder) implements StaticResources {
    public Classpath {
      Objects.requireNonNull(folder, "folder");
      while (folder.startsWith("/")) {
        folder = folder.substring(1);
      }
      if (folder.isBlank()) {
        throw new IllegalArgumentException("a static resources folder must be named, such as \"static/\"");
      }
    }
  }

  /**
   * A directory on the file system.
   *
   * @param path the directory
   */
  record Directory(Path path) implements StaticResources {
    public Directory {
      Objects.requireNonNull(path, "path");
    }
  }
}
