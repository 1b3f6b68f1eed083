package io.tinyllm.ollama;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context of a client that only speaks plain HTTP: the JDK's {@code HttpClient} builds
 * {@code SSLContext.getDefault()} when given none, which loads and parses the CA store (about 0.2 s
 * and 400 classes at start-up) although no TLS connection will ever be made. This context has no
 * keys and trusts no certificate, so if a TLS handshake were ever attempted it would fail.
 */
final class PlainHttpOnly {
  static final SSLContext CONTEXT = create();

  private PlainHttpOnly() {}

  private static SSLContext create() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[] {new TrustNone()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS context: " + e, e);
    }
  }

  /** Refuses every certificate. */
  private static final class TrustNone implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this client speaks plain HTTP only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this client speaks plain HTTP only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
