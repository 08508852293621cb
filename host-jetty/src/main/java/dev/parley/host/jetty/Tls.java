package dev.parley.host.jetty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's certificate and private key, for {@link JettyHostConfig.Builder#tls(Tls)}: from a key store
 * (PKCS#12 or JKS) or from PEM files as certificate authorities and ACME clients such as certbot issue them.
 * Read and checked when made, so a wrong path, password or key fails at once rather than at the first
 * handshake; the host never reads the files again (renewed certificates take a new host).
 *
 * <p>Immutable and thread-safe. {@link #toString()} names where the credentials came from, never a secret.
 */
public final class Tls {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private final KeyStore keyStore;
  private final char[] password;
  private final String source;

  private Tls(KeyStore keyStore, char[] password, String source) {
    this.keyStore = keyStore;
    this.password = password;
    this.source = source;
  }

  /**
   * The certificate chain and private key of PEM files. The chain file holds the server's certificate first,
   * then any intermediate ones ({@code fullchain.pem}); the key file one unencrypted private key, as
   * {@code BEGIN PRIVATE KEY} (PKCS#8), {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY}
   * (SEC 1), of RSA, EC or Ed25519.
   *
   * @param certificateChain the PEM file of the certificates
   * @param privateKey the PEM file of the private key
   * @return the credentials, read and checked
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a file cannot be read, holds no certificate or no supported key,
   *     the key is encrypted, or the key does not belong to the first certificate; the message names the
   *     file and, for a key in another format, the {@code openssl} command that converts it
   */
  public static Tls pem(Path certificateChain, Path privateKey) {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    List<X509Certificate> chain = certificates(certificateChain);
    PrivateKey key = privateKey(privateKey, chain.get(0).getPublicKey());
    char[] password = randomPassword();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("parley", key, password, chain.toArray(Certificate[]::new));
      return new Tls(store, password, "PEM " + certificateChain + " and " + privateKey);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot hold the key of " + privateKey + " in a key store: " + e, e);
    }
  }

  /**
   * The first private key entry of a key store file, PKCS#12 ({@code .p12}, {@code .pfx}) or JKS, whose
   * store and key share {@code password} (what {@code keytool} and {@code openssl pkcs12} make).
   *
   * @param keyStore the key store file
   * @param password the store's and the key's password
   * @return the credentials, read and checked
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the file cannot be read, the password is wrong, or it holds no
   *     private key entry; the message names the file
   */
  public static Tls keyStore(Path keyStore, String password) {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(password, "password");
    char[] secret = password.toCharArray();
    KeyStore store;
    try {
      store = KeyStore.getInstance(keyStore.toFile(), secret);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the key store " + keyStore + " (is the password right?): "
          + e.getMessage(), e);
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getKey(alias, secret) instanceof PrivateKey) {
          return new Tls(store, secret, "key store " + keyStore);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the private key of " + keyStore
          + " (does the key have the store's password?): " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("the key store " + keyStore + " holds no private key entry");
  }

  /** The key store Jetty serves the certificate from. */
  KeyStore keyStore() {
    return keyStore;
  }

  /** The password of the key store and its key. */
  String password() {
    return new String(password);
  }

  /** Where the credentials came from. */
  @Override
  public String toString() {
    return "Tls[" + source + "]";
  }

  private static List<X509Certificate> certificates(Path file) {
    byte[] bytes = read(file);
    try {
      Collection<? extends Certificate> read =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
      List<X509Certificate> chain = read.stream()
          .filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("no certificate in " + file);
      }
      return chain;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the certificates of " + file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file, PublicKey certified) {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher block = PEM_BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // EC PARAMETERS and the like, which openssl writes before the key
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the " + type + " of " + file + " is not valid base64", e);
      }
      byte[] pkcs8 = switch (type) {
        case "PRIVATE KEY" -> der;
        // A legacy key is the inner part of a PKCS#8 one; its algorithm is the certificate's.
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> wrapPkcs8(der, algorithmIdentifier(certified));
        case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("the private key of " + file
            + " is encrypted; decrypt it first: openssl pkcs8 -in " + file.getFileName() + " -out key.pem");
        default -> throw new IllegalArgumentException("a " + type + " in " + file + " is not supported; convert"
            + " it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem");
      };
      PrivateKey key = decode(pkcs8, certified.getAlgorithm(), file);
      checkPair(key, certified, file);
      return key;
    }
    throw new IllegalArgumentException("no PEM private key (-----BEGIN PRIVATE KEY-----) in " + file);
  }

  private static PrivateKey decode(byte[] pkcs8, String algorithm, Path file) {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key of " + file + " is not a valid " + algorithm
          + " key, the certificate's algorithm, so it does not belong to the certificate: " + e.getMessage(), e);
    }
  }

  /** Signs with the key and verifies with the certificate: a key of another certificate fails here. */
  private static void checkPair(PrivateKey key, PublicKey certified, Path file) {
    String algorithm = switch (certified.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "ED25519", "EDDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    byte[] probe = "parley".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new IllegalArgumentException("the private key of " + file + " does not belong to the certificate");
    }
  }

  /** The DER of the AlgorithmIdentifier of a public key: the first element of its SubjectPublicKeyInfo. */
  private static byte[] algorithmIdentifier(PublicKey key) {
    byte[] spki = key.getEncoded();
    int[] outer = Der.header(spki, 0);
    int start = outer[0];
    int[] inner = Der.header(spki, start);
    return Arrays.copyOfRange(spki, start, inner[0] + inner[1]);
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] wrapPkcs8(byte[] legacy, byte[] algorithmIdentifier) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithmIdentifier);
    Der.write(body, 0x04, legacy);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    Der.write(info, 0x30, body.toByteArray());
    return info.toByteArray();
  }

  private static byte[] read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[24];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }

  /** The little of DER that wrapping a legacy key takes. */
  private static final class Der {
    private Der() {
    }

    /** {contentStart, contentLength} of the element at {@code offset}. */
    static int[] header(byte[] der, int offset) {
      if (offset + 2 > der.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      int first = der[offset + 1] & 0xff;
      if (first < 0x80) {
        return new int[] {offset + 2, first};
      }
      int octets = first & 0x7f;
      if (octets == 0 || octets > 3 || offset + 2 + octets > der.length) {
        throw new IllegalArgumentException("unsupported DER length");
      }
      int length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (der[offset + 2 + i] & 0xff);
      }
      return new int[] {offset + 2 + octets, length};
    }

    static void write(ByteArrayOutputStream out, int tag, byte[] content) {
      out.write(tag);
      int length = content.length;
      if (length < 0x80) {
        out.write(length);
      } else if (length < 0x100) {
        out.write(0x81);
        out.write(length);
      } else if (length < 0x10000) {
        out.write(0x82);
        out.write(length >> 8);
        out.write(length);
      } else {
        out.write(0x83);
        out.write(length >> 16);
        out.write(length >> 8);
        out.write(length);
      }
      out.writeBytes(content);
    }
  }
}
