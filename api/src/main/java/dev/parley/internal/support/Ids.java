package dev.parley.internal.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Random identifiers for sessions and channels (not secrets: ids are visible to other clients), and the
 * private ids of connection state recovery (secrets: whoever presents one takes over a channel).
 */
public final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final SecureRandom SECURE = new SecureRandom();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();
  // Guarded by itself.
  private static final Mac PRIVATE_IDS = privateIds();

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

  /**
   * The private id of a new channel, for connection state recovery: 22 url-safe characters, the first 128 bits of
   * an HMAC-SHA256 of {@code channelId} under a key drawn once per process from a {@link SecureRandom}. Unguessable
   * without the key although the channel id is public, and the same each time for one id, so that a channel need
   * not keep it (a String on every recoverable channel): it is made again when sent and when saved. A private id
   * already handed out stays valid whatever becomes of the key (a restart), since the store is keyed by it.
   * Thread-safe.
   */
  public static String privateId(String channelId) {
    byte[] digest;
    synchronized (PRIVATE_IDS) {
      digest = PRIVATE_IDS.doFinal(channelId.getBytes(StandardCharsets.UTF_8));
    }
    return URL_SAFE.encodeToString(Arrays.copyOf(digest, 16));
  }

  private static Mac privateIds() {
    byte[] key = new byte[32];
    SECURE.nextBytes(key);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      // Every Java platform has HmacSHA256.
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
