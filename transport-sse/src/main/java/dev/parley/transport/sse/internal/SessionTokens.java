package dev.parley.transport.sse.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret a stream's posts must carry ({@code X-Parley-Token}): an HMAC-SHA256 of the session id under a key
 * of 32 random bytes that this node draws when the transport is mounted and never sends, so that no stream keeps a
 * token of its own (a stream is held per open connection; the token is computed when the stream opens and when a
 * post is checked). Knowing a session id, which travels in URLs, does not give its token. Thread-safe.
 */
final class SessionTokens {
  private static final String ALGORITHM = "HmacSHA256";

  // Initialised once, never used to compute: each computation works on a clone, as a Mac is not thread-safe.
  private final Mac keyed;

  SessionTokens() {
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

  /** The token of {@code sessionId}: 43 URL-safe base64 characters. */
  String of(String sessionId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionId));
  }

  /** Whether {@code token} is the token of {@code sessionId}, compared in constant time. */
  boolean matches(String sessionId, String token) {
    return MessageDigest.isEqual(of(sessionId).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.UTF_8));
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
