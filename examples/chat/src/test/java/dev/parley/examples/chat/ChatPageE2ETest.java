package dev.parley.examples.chat;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat pages' flows ({@link ChatPageScenario}) on the app with its default store, "memory". */
class ChatPageE2ETest extends ChatPageScenario {
  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  ChatPageE2ETest() {
    super(chat, browsers);
  }
}
