package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.error.ProviderNotFoundException;
import dev.parley.spi.Host;
import dev.parley.spi.HostProvider;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Store;
import dev.parley.spi.StoreProvider;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
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

  /** The store the config names, else the one found (a store other than memory if there is one). */
  static Store chooseStore(ChatServerConfig config, ProviderContext context) {
    List<StoreProvider> found = stores();
    StoreProvider chosen;
    if (config.store() != null) {
      chosen = named("store", config.store(), found, StoreProvider::name);
    } else if (found.isEmpty()) {
      throw new ProviderNotFoundException("store", "memory", artifact("memory"));
    } else {
      List<StoreProvider> preferred = found.size() == 1 ? found
          : found.stream().filter(p -> !p.name().equals("memory")).toList();
      if (preferred.size() > 1) {
        throw new IllegalStateException("several stores found (" + preferred.stream()
            .map(StoreProvider::name).toList() + "); choose one with ChatServer.builder().store(name)");
      }
      chosen = preferred.get(0);
    }
    return chosen.create(context);
  }

  /** The transports given, plus those the config names; with neither, every transport found. */
  static List<Transport> chooseTransports(ChatServerConfig config, List<Transport> given, ProviderContext context) {
    List<Transport> chosen = new ArrayList<>(given);
    List<TransportProvider> found = transports();
    if (!config.transports().isEmpty()) {
      for (String name : config.transports()) {
        chosen.add(named("transport", name, found, TransportProvider::name).create(context));
      }
    } else if (chosen.isEmpty()) {
      for (TransportProvider provider : found) {
        chosen.add(provider.create(context));
      }
    }
    if (chosen.isEmpty()) {
      log.warn("no transport found: clients cannot connect; add dev.parley:parley-transport-websocket");
    }
    return chosen;
  }

  /** The host the config names, else the one found if a transport needs one, else none. */
  static @Nullable Host chooseHost(ChatServerConfig config, List<Transport> transports, ProviderContext context) {
    if ("none".equals(config.host())) {
      return null;
    }
    List<HostProvider> found = hosts();
    if (config.host() != null) {
      return named("host", config.host(), found, HostProvider::name).create(context);
    }
    boolean needed = transports.stream().anyMatch(Transport::requiresHost);
    if (!needed) {
      return null;
    }
    if (found.isEmpty()) {
      throw new ProviderNotFoundException("host", "jetty", artifact("jetty"));
    }
    if (found.size() > 1) {
      throw new IllegalStateException("several hosts found (" + found.stream().map(HostProvider::name).toList()
          + "); choose one with ChatServer.builder().host(name)");
    }
    return found.get(0).create(context);
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
