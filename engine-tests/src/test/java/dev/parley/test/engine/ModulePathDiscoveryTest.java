package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.parley.ChatServer;
import dev.parley.protocol.Arguments;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Timeouts;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.simple.SimpleLogger;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/**
 * Module-path discovery: the API and the memory store loaded as named modules in a fresh
 * {@link ModuleLayer}, so their {@code module-info} {@code provides} and {@code uses} are what counts.
 */
class ModulePathDiscoveryTest {

  private static final Set<String> ROOTS = Set.of("dev.parley", "dev.parley.store.memory");

  @Test
  void memoryStoreIsAServiceOfItsModule() throws Exception {
    ModuleLayer layer = layer();
    Class<?> spi = layer.findLoader("dev.parley").loadClass("dev.parley.spi.StoreProvider");
    assertThat(spi.getModule().getName()).isEqualTo("dev.parley");

    List<String> found = new ArrayList<>();
    Object memory = null;
    for (Object provider : ServiceLoader.load(layer, spi)) {
      String name = (String) spi.getMethod("name").invoke(provider);
      found.add(name);
      if (name.equals("memory")) {
        memory = provider;
      }
    }

    assertThat(found).containsExactly("memory");
    assertThat(memory.getClass().getModule().getName()).isEqualTo("dev.parley.store.memory");
    assertThat(memory.getClass().getModule().getLayer()).isSameAs(layer);
  }

  @Test
  void engineFindsTheStoreOnTheModulePath() throws Exception {
    ModuleLayer layer = layer();
    ClassLoader loader = layer.findLoader("dev.parley");
    Class<?> chatServer = loader.loadClass("dev.parley.ChatServer");
    assertThat(chatServer.getModule().getLayer()).isSameAs(layer);

    // The engine's own ServiceLoader call, made from inside module dev.parley: it fails unless the module
    // declares "uses", and finds no store unless dev.parley.store.memory declares "provides".
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    Object server;
    try {
      Object builder = chatServer.getMethod("builder").invoke(null);
      server = builder.getClass().getMethod("start").invoke(builder);
    } finally {
      thread.setContextClassLoader(previous);
    }
    Method close = chatServer.getMethod("close");
    try {
      assertThat(chatServer.getMethod("isRunning").invoke(server)).isEqualTo(true);
      Object room = chatServer.getMethod("room", String.class).invoke(server, "lobby");
      Object posted = loader.loadClass("dev.parley.Room").getMethod("post", String.class, Object.class)
          .invoke(room, "chat", "hello");
      Object message = loader.loadClass("reactor.core.publisher.Mono").getMethod("block", Duration.class)
          .invoke(posted, Timeouts.EXPECTED);
      assertThat(message.getClass().getName()).isEqualTo("dev.parley.Message");
      assertThat(message.getClass().getModule().getName()).isEqualTo("dev.parley");
    } finally {
      close.invoke(server);
    }
  }

  /** A layer of the named modules Parley's API and memory store need, from this test's class path. */
  private static ModuleLayer layer() throws URISyntaxException {
    Path[] paths = {
        location(ChatServer.class),       // dev.parley
        location(Arguments.class),        // dev.parley.protocol
        location(MemoryStore.class),      // dev.parley.store.memory
        location(Mono.class),             // reactor.core
        location(Publisher.class),        // org.reactivestreams
        location(JsonNode.class),         // tools.jackson.databind
        location(JsonParser.class),       // tools.jackson.core
        location(JsonProperty.class),     // com.fasterxml.jackson.annotation
        location(Logger.class),           // org.slf4j
        location(NullMarked.class),       // org.jspecify
        location(SimpleLogger.class),     // org.slf4j.simple, so the layer's slf4j has a provider
    };
    ModuleLayer boot = ModuleLayer.boot();
    Configuration configuration = boot.configuration().resolveAndBind(ModuleFinder.of(paths), ModuleFinder.of(), ROOTS);
    ModuleLayer layer = boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    assertThat(layer.findModule("dev.parley")).isPresent();
    return layer;
  }

  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
