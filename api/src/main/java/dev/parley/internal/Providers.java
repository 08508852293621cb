package dev.parley.internal;

import dev.parley.error.ProviderNotFoundException;
import dev.parley.spi.HostProvider;
import dev.parley.spi.StoreProvider;
import dev.parley.spi.TransportProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole discovery policy: what {@link ServiceLoader} finds on the class path and module path, one
 * broken provider reported and skipped, a missing one named with its artifact.
 */
final class Providers {
  private static final Logger log = LoggerFactory.getLogger(Providers.class);
  private static final Map<String, String> ARTIFACTS = Map.of(
      "websocket", "dev.parley:parley-transport-websocket",
      "sse", "dev.parley:parley-transport-sse",
      "in-process", "dev.parley:parley-test",
      "memory", "dev.parley:parley-store-memory",
      "mongo", "dev.parley:parley-store-mongo",
      "jetty", "dev.parley:parley-host-jetty");

  private Providers() {
  }

  static List<TransportProvider> transports() {
    return load(TransportProvider.class, TransportProvider::name);
  }

  static List<StoreProvider> stores() {
    return load(StoreProvider.class, StoreProvider::name);
  }

  static List<HostProvider> hosts() {
    return load(HostProvider.class, HostProvider::name);
  }

  /** The provider with this name, or the exception that names the artifact to add. */
  static <P> P named(String kind, String name, List<P> found, Function<P, String> nameOf) {
    for (P provider : found) {
      if (nameOf.apply(provider).equals(name)) {
        return provider;
      }
    }
    List<String> names = found.stream().map(nameOf).toList();
    String artifact = ARTIFACTS.getOrDefault(name, "that provides the " + kind + " \"" + name + "\"");
    throw names.isEmpty()
        ? new ProviderNotFoundException(kind, name, artifact)
        : new ProviderNotFoundException(kind, name, artifact, String.join(", ", names));
  }

  /** The artifact that provides a named component, for messages. */
  static String artifact(String name) {
    return ARTIFACTS.getOrDefault(name, name);
  }

  private static <P> List<P> load(Class<P> type, Function<P, String> nameOf) {
    Map<String, P> byClass = new LinkedHashMap<>();
    List<ClassLoader> loaders = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      loaders.add(context);
    }
    ClassLoader own = Providers.class.getClassLoader();
    if (own != context) {
      loaders.add(own);
    }
    for (ClassLoader loader : loaders) {
      var iterator = ServiceLoader.load(type, loader).iterator();
      while (true) {
        try {
          if (!iterator.hasNext()) {
            break;
          }
          P provider = iterator.next();
          byClass.putIfAbsent(provider.getClass().getName(), provider);
        } catch (ServiceConfigurationError e) {
          log.warn("skipping a {} that failed to load: {}", type.getSimpleName(), e.getMessage());
        }
      }
    }
    List<P> found = List.copyOf(byClass.values());
    log.debug("{}s found: {}", type.getSimpleName(), found.stream().map(nameOf).toList());
    return found;
  }
}
