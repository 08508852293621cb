package dev.parley.test.engine;

import dev.parley.ChatServer;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.InProcessTransport;

/** The shared set-up of the engine tests: a server on the in-process transport, (channels are recorded with {@link dev.parley.test.ConnectedChannels}). */
final class EngineFixtures {

  private EngineFixtures() {
  }

  /** A builder for a server that clients reach through {@code transport}, on its own memory store. */
  static ChatServer.Builder serverOn(InProcessTransport transport) {
    return ChatServer.builder().transport(transport).store(new MemoryStore());
  }
}
