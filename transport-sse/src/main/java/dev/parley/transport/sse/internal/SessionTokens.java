package dev.parley.transport.sse.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The secret a stream's posts must carry ({@code X-Parley-Token}): an HMAC-SHA256 of the session id under a key
 * of 32 random bytes that this node draws when the transport is mounted and never sends, so that no stream keeps a
 * token of its own (a stream is held per open connection; the token is computed when the stream opens and when a
 * post is checked). Knowing a session id, which travels in URLs, does not give its token.
 *
 * <p>A token ends with {@code .} and the id of the node that made it (base64url), so that a node a POST reaches
 * knows which node holds the stream without asking every node; only that node can check the token. Thread-safe.
 */
final class SessionTokens {
  private static final String ALGORITHM = "HmacSHA256";

  // Initialised once, never used to compute: each computation works on a clone, as a Mac is not thread-safe.
  private final Mac keyed;
  // ".<node id, base64url>"
  private final String suffix;

  SessionTokens(String nodeId) {
    this.suffix = "." + Base64.getUrlEncoder().withoutPadding().encodeToString(nodeId.getBytes(StandardCharsets.UTF_8));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    try {
      keyed = Mac.getInstance(ALGORITHM);
      keyed.init(new SecretKeySpec(key, ALGORITHM));
    } catch (GeneralSecurityException e) {
      // Every Java platform must provide HmacSHA256.
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }

  /** The token of {@code sessionId}: 43 URL-safe base64 characters, then this node's suffix. */
  String of(String sessionId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionId)) + suffix;
  }

  /** Whether {@code token} is the token of {@code sessionId}, compared in constant time. */
  boolean matches(String sessionId, String token) {
    return MessageDigest.isEqual(of(sessionId).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code digest} is {@link #digest} of the token of {@code sessionId}, compared in constant time: how a
   * node checks a relayed POST's token without the token itself travelling over the bus.
   */
  boolean matchesDigest(String sessionId, String digest) {
    return MessageDigest.isEqual(digest(of(sessionId)).getBytes(StandardCharsets.US_ASCII),
        digest.getBytes(StandardCharsets.UTF_8));
  }

  /** The SHA-256 of a token, base64url: what a relayed POST carries instead of the token. */
  static String digest(String token) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The node a token names as the one that made it, or null if it names none (a forged or old token). */
  static @Nullable String node(String token) {
    int dot = token.lastIndexOf('.');
    if (dot < 0 || dot == token.length() - 1) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(token.substring(dot + 1)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] mac(String sessionId) {
    try {
      Mac mac = (Mac) keyed.clone();
      return mac.doFinal(sessionId.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(ALGORITHM + " cannot be cloned", e);
    }
  }
}
