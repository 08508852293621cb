package dev.parley.internal.support;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random identifiers for sessions and channels (not secrets: ids are visible to other clients), and the
 * private ids of connection state recovery (secrets: whoever presents one takes over a channel).
 */
public final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final SecureRandom SECURE = new SecureRandom();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  /** 20 url-safe characters, 120 random bits: Socket.IO's id shape. */
  public static String next() {
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

  /** 22 url-safe characters, 128 bits from a {@link SecureRandom}: unguessable. */
  public static String secret() {
    byte[] bytes = new byte[16];
    SECURE.nextBytes(bytes);
    return URL_SAFE.encodeToString(bytes);
  }
}
