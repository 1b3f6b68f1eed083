package io.tinyllm.metrics.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC certificate for 127.0.0.1 and localhost, made with the JDK's keytool, as PEM
 * files for {@code metrics.http.tls.cert}/{@code .key}, and a client that trusts it.
 *
 * <pre>{@code
 * SelfSignedCertificate tls = SelfSignedCertificate.create(dir);
 * settings.put("metrics.http.tls.cert", tls.cert().toString());
 * HttpClient client = tls.trustingClient();
 * }</pre>
 */
public final class SelfSignedCertificate {
  /** The password of {@link #keystore()} and of its key. */
  public static final String PASSWORD = "changeit";

  private static final String ALIAS = "metrics";

  private final KeyStore store;
  private final Path keystore;
  private final Path cert;
  private final Path key;

  private SelfSignedCertificate(KeyStore store, Path keystore, Path cert, Path key) {
    this.store = store;
    this.keystore = keystore;
    this.cert = cert;
    this.key = key;
  }

  /**
   * Generates the certificate in {@code dir}: {@code tls.p12} (PKCS#12, {@link #PASSWORD}), and the
   * same certificate and key as {@code cert.pem}, {@code key.pem}.
   */
  public static SelfSignedCertificate create(Path dir) {
    try {
      Path keystore = dir.resolve("tls.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process process =
          new ProcessBuilder(
                  keytool.toString(),
                  "-genkeypair",
                  "-alias",
                  ALIAS,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "san=ip:127.0.0.1,dns:localhost",
                  "-validity",
                  "2",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  keystore.toString(),
                  "-storepass",
                  PASSWORD,
                  "-keypass",
                  PASSWORD)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, PASSWORD.toCharArray());
      }
      Path cert = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
      try (Writer out = Files.newBufferedWriter(cert)) {
        out.write("-----BEGIN CERTIFICATE-----\n");
        out.write(mime.encodeToString(store.getCertificate(ALIAS).getEncoded()));
        out.write("\n-----END CERTIFICATE-----\n");
      }
      try (Writer out = Files.newBufferedWriter(key)) {
        out.write("-----BEGIN PRIVATE KEY-----\n");
        out.write(mime.encodeToString(store.getKey(ALIAS, PASSWORD.toCharArray()).getEncoded()));
        out.write("\n-----END PRIVATE KEY-----\n");
      }
      return new SelfSignedCertificate(store, keystore, cert, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The PKCS#12 keystore, for {@code metrics.http.tls.keystore}. */
  public Path keystore() {
    return keystore;
  }

  public Path cert() {
    return cert;
  }

  public Path key() {
    return key;
  }

  /** An HTTP client that trusts this certificate (and nothing else). */
  public HttpClient trustingClient() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(ALIAS, store.getCertificate(ALIAS));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder()
          .sslContext(context)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
