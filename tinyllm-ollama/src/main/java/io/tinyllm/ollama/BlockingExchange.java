package io.tinyllm.ollama;

import io.tinyllm.api.error.CancelledException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * One plain-HTTP exchange made on the calling thread with {@code HttpURLConnection}, for a client
 * that makes a call or two and exits (the CLI's {@code list}, {@code ps}, {@code show}, {@code
 * health}). The JDK's {@code HttpClient} costs such a process about half a second (measured in
 * docs/performance.md §7): it sets up the TLS provider even for {@code http://}, and its selector
 * thread waits for events in native code, which the JVM's exit on JDK 17 waits up to 300 ms for
 * (the client can only be closed from JDK 21 on). Failures take the JDK client's shapes ({@link
 * ConnectException}, {@link HttpConnectTimeoutException}) so {@link OllamaErrors} maps them alike.
 *
 * <p>It is not interruptible once the request is sent, and its request timeout is checked between
 * reads, each read bounded by the time left: a server that trickles bytes can hold a call for up to
 * twice the timeout. A one-shot command accepts both. Streams to plain-HTTP servers are read on
 * their own thread too, but over {@link Http1Connection}, which another thread can close in the
 * middle of a read and whose read timeout can change between reads ({@code HttpURLConnection}'s can
 * do neither); its failures to connect take the same shapes, from {@link
 * Http1Exchange#connectFailure}.
 */
final class BlockingExchange {
  private BlockingExchange() {}

  /**
   * Sends {@code request} and reads the whole answer of at most {@code maxBytes}.
   *
   * @throws ExecutionException wrapping the transport's failure, as the JDK client's future does
   * @throws TimeoutException if the answer is not complete within {@code requestTimeout}
   */
  static Http1Exchange.Answer exchange(
      OllamaRequest request,
      URI uri,
      Duration connectTimeout,
      Duration requestTimeout,
      int maxBytes,
      String what)
      throws ExecutionException, TimeoutException {
    if (Thread.interrupted()) {
      throw new CancelledException("Interrupted before calling Ollama");
    }
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    byte[] body = request.body();
    HttpURLConnection connection;
    try {
      // the JDK's HttpClient uses no proxy unless given a selector; neither does this
      connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
    } catch (IOException e) {
      throw new ExecutionException(e);
    }
    try {
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      connection.setRequestMethod(request.method());
      connection.setConnectTimeout(
          Http1Exchange.millis(Math.min(connectTimeout.toNanos(), remaining(deadline))));
      connection.setRequestProperty("Accept", request.accept());
      if (request.contentType() != null) {
        connection.setRequestProperty("Content-Type", request.contentType());
      }
      // each read waits at most the whole request timeout; read() checks the deadline between reads
      connection.setReadTimeout(Http1Exchange.millis(requestTimeout.toNanos()));
      if (body != null) {
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
      }
      try {
        connection.connect();
      } catch (SocketTimeoutException | UnknownHostException | ConnectException e) {
        throw Http1Exchange.connectFailure(e);
      }
      if (body != null) {
        connection.getOutputStream().write(body);
      }
      int status = connection.getResponseCode();
      long declared = connection.getContentLengthLong();
      if (declared > maxBytes) {
        throw new ExecutionException(
            BoundedBody.tooLarge(maxBytes, what, ", Content-Length " + declared));
      }
      InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
      return new Http1Exchange.Answer(status, in == null ? "" : read(in, deadline, maxBytes, what));
    } catch (SocketTimeoutException e) {
      TimeoutException timeout = new TimeoutException(e.getMessage());
      timeout.initCause(e);
      throw timeout;
    } catch (IOException e) {
      throw new ExecutionException(e);
    } finally {
      connection.disconnect();
    }
  }

  private static String read(InputStream in, long deadline, int maxBytes, String what)
      throws IOException, ExecutionException, TimeoutException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (n > maxBytes - out.size()) {
          throw new ExecutionException(BoundedBody.tooLarge(maxBytes, what, ""));
        }
        out.write(buffer, 0, n);
        if (remaining(deadline) <= 0) {
          throw new TimeoutException("the answer took longer than the request timeout");
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static long remaining(long deadline) {
    return deadline - System.nanoTime();
  }
}
