package io.tinyllm.metrics.exporter;

import io.tinyllm.api.error.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds the server's {@link SSLContext} from a PEM certificate chain and PKCS#8 key, or from a
 * PKCS#12 key store, with errors naming the file and the setting.
 */
final class TlsContexts {
  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  static SSLContext load(HttpExporterConfig config) {
    KeyStore keyStore;
    char[] password;
    if (config.tlsKeystore().isPresent()) {
      password = config.tlsKeystorePassword().map(String::toCharArray).orElse(NO_PASSWORD);
      keyStore = loadPkcs12(config.tlsKeystore().get(), password);
    } else {
      password = NO_PASSWORD;
      keyStore = fromPem(config.tlsCert().orElseThrow(), config.tlsKey().orElseThrow());
    }
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException("Cannot set up TLS for the metrics endpoint: " + e.getMessage(), e);
    }
  }

  private static KeyStore loadPkcs12(Path file, char[] password) {
    try (InputStream in =
        Files.newInputStream(requireReadable(file, HttpExporterConfig.TLS_KEYSTORE))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "Cannot read the PKCS#12 key store "
              + file
              + " (setting '"
              + HttpExporterConfig.TLS_KEYSTORE
              + "'): "
              + e.getMessage()
              + " (wrong '"
              + HttpExporterConfig.TLS_KEYSTORE_PASSWORD
              + "'?)",
          e);
    }
  }

  private static KeyStore fromPem(Path certFile, Path keyFile) {
    List<Certificate> chain = readCertificates(certFile);
    PrivateKey key = readPrivateKey(keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("metrics", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "The key "
              + keyFile
              + " does not match the certificate "
              + certFile
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static List<Certificate> readCertificates(Path file) {
    try (InputStream in =
        Files.newInputStream(requireReadable(file, HttpExporterConfig.TLS_CERT))) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConfigException(
            "No PEM certificate in " + file + " (setting '" + HttpExporterConfig.TLS_CERT + "')");
      }
      return List.copyOf(certs);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "Cannot read the PEM certificate "
              + file
              + " (setting '"
              + HttpExporterConfig.TLS_CERT
              + "'): "
              + e.getMessage(),
          e);
    }
  }

  private static PrivateKey readPrivateKey(Path file) {
    String pem;
    try {
      pem =
          Files.readString(
              requireReadable(file, HttpExporterConfig.TLS_KEY), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("Cannot read the PEM key " + file + ": " + e.getMessage(), e);
    }
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new ConfigException(
          "The key "
              + file
              + " (setting '"
              + HttpExporterConfig.TLS_KEY
              + "') is not an unencrypted PKCS#8 PEM key ('BEGIN PRIVATE KEY'); convert it with:"
              + " openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out key.pem");
    }
    String base64 =
        pem.substring(
                pem.indexOf("-----BEGIN PRIVATE KEY-----") + "-----BEGIN PRIVATE KEY-----".length(),
                pem.indexOf("-----END PRIVATE KEY-----"))
            .replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("The PEM key " + file + " is not valid base64", e);
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException("The PEM key " + file + " is not an RSA, EC or EdDSA private key");
  }

  private static Path requireReadable(Path file, String setting) {
    if (!Files.isReadable(file)) {
      throw new ConfigException(
          "TLS file " + file + " (setting '" + setting + "') does not exist or is not readable");
    }
    return file;
  }
}
