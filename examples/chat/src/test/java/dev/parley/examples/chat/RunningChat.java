package dev.parley.examples.chat;

import dev.parley.ChatServer;
import dev.parley.testsupport.TestMongo;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The example app on a free loopback port for one test class, as {@code java -jar parley-chat.jar} starts
 * it. With the system property {@code parley.e2e.store=mongo} (the e2e profile's second run) it uses the
 * "mongo" store against an in-process MongoDB server with its oplog (change streams need it).
 */
final class RunningChat implements BeforeAllCallback, AfterAllCallback {
  private @Nullable ChatServer server;
  private @Nullable TestMongo mongo;

  @Override
  public void beforeAll(ExtensionContext context) {
    if ("mongo".equals(System.getProperty("parley.e2e.store"))) {
      TestMongo database = TestMongo.inProcess();
      mongo = database;
      server = ChatApp.start(new Options(0, "127.0.0.1", "mongo", database.connectionString("chat"), "warn"));
    } else {
      server = ChatApp.start(new Options(0, "127.0.0.1", "memory", null, "warn"));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
    if (mongo != null) {
      mongo.close();
    }
  }

  ChatServer server() {
    if (server == null) {
      throw new IllegalStateException("the app is not running");
    }
    return server;
  }

  /** The page's address. */
  URI url() {
    return ChatPage.url(server());
  }
}
