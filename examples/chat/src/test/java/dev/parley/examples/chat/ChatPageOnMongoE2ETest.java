package dev.parley.examples.chat;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat pages' flows ({@link ChatPageScenario}) once more with the "mongo" store, against an in-process
 * MongoDB server with its oplog (change streams need it).
 */
class ChatPageOnMongoE2ETest extends ChatPageScenario {
  @RegisterExtension
  static final RunningChat chat = RunningChat.mongo();

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  ChatPageOnMongoE2ETest() {
    super(chat, browsers);
  }
}
