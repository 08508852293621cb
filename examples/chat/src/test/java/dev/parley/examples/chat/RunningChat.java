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
 * it: with the "memory" store, or with the "mongo" store against an in-process MongoDB server with its oplog
 * (change streams need it).
 */
final class RunningChat implements BeforeAllCallback, AfterAllCallback {
  private final boolean onMongo;
  private @Nullable ChatServer server;
  private @Nullable TestMongo mongo;

  private RunningChat(boolean onMongo) {
    this.onMongo = onMongo;
  }

  /** The app with its default store, "memory". */
  static RunningChat memory() {
    return new RunningChat(false);
  }

  /** The app with the "mongo" store, on an in-process MongoDB server started for the class. */
  static RunningChat mongo() {
    return new RunningChat(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (onMongo) {
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
