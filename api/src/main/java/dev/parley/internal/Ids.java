package dev.parley.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Random identifiers for sessions and channels (not secrets: ids are visible to other clients). */
final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private Ids() {
  }

  /** 20 url-safe characters, 120 random bits: Socket.IO's id shape. */
  static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[20];
    long bits = random.nextLong();
    for (int i = 0; i < out.length; i++) {
      if (i == 10) {
        bits = random.nextLong();
      }
      out[i] = ALPHABET[(int) (bits & 63)];
      bits >>>= 6;
    }
    return new String(out);
  }
}
