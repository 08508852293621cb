package dev.parley.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made by the JDK's {@code keytool}, in
 * the forms a server is given one (a PKCS#12 key store; PEM certificate and PKCS#8, PKCS#1 or SEC 1 key) and
 * an {@link SSLContext} that trusts it, for clients.
 *
 * @param keyStore the PKCS#12 key store, its password {@link #PASSWORD}
 * @param certificate the certificate as PEM
 * @param key the private key as PEM, PKCS#8 ({@code BEGIN PRIVATE KEY})
 * @param legacyKey the private key as PEM in the algorithm's own older format ({@code BEGIN RSA PRIVATE KEY} or
 *     {@code BEGIN EC PRIVATE KEY})
 * @param x509 the certificate
 */
public record TestCertificates(Path keyStore, Path certificate, Path key, Path legacyKey, X509Certificate x509) {
  /** The password of the key store and its key. */
  public static final String PASSWORD = "parley-test";

  /**
   * Makes the files in {@code directory}.
   *
   * @param algorithm {@code "RSA"} or {@code "EC"}
   */
  public static TestCertificates create(Path directory, String algorithm) throws Exception {
    Path store = directory.resolve("server-" + algorithm + ".p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", algorithm,
        "-keysize", algorithm.equals("EC") ? "256" : "2048", "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore loaded = KeyStore.getInstance(store.toFile(), PASSWORD.toCharArray());
    X509Certificate x509 = (X509Certificate) loaded.getCertificate("server");
    PrivateKey privateKey = (PrivateKey) loaded.getKey("server", PASSWORD.toCharArray());
    Path certificate = Files.writeString(directory.resolve("cert-" + algorithm + ".pem"),
        pem("CERTIFICATE", x509.getEncoded()));
    byte[] pkcs8 = privateKey.getEncoded();
    Path key = Files.writeString(directory.resolve("key-" + algorithm + ".pem"), pem("PRIVATE KEY", pkcs8));
    // The older formats are what PKCS#8 wraps: its last element, an OCTET STRING.
    String legacyType = algorithm.equals("EC") ? "EC PRIVATE KEY" : "RSA PRIVATE KEY";
    Path legacy = Files.writeString(directory.resolve("key-" + algorithm + "-legacy.pem"),
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
            .repeat(algorithm.equals("EC") ? 1 : 0) + pem(legacyType, lastOctetString(pkcs8)));
    return new TestCertificates(store, certificate, key, legacy, x509);
  }

  /** A TLS context that trusts this certificate only. */
  public SSLContext trustingContext() throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", x509);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** The content of the last top-level element of a DER SEQUENCE (PKCS#8's privateKey OCTET STRING). */
  private static byte[] lastOctetString(byte[] der) {
    int offset = contentStart(der, 0);
    byte[] last = null;
    while (offset < der.length) {
      int start = contentStart(der, offset);
      int length = contentLength(der, offset);
      if (der[offset] == 0x04) {
        last = Arrays.copyOfRange(der, start, start + length);
      }
      offset = start + length;
    }
    if (last == null) {
      throw new IllegalArgumentException("no OCTET STRING in the key");
    }
    return last;
  }

  private static int contentStart(byte[] der, int offset) {
    int first = der[offset + 1] & 0xff;
    return first < 0x80 ? offset + 2 : offset + 2 + (first & 0x7f);
  }

  private static int contentLength(byte[] der, int offset) {
    int first = der[offset + 1] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      length = (length << 8) | (der[offset + 2 + i] & 0xff);
    }
    return length;
  }
}
