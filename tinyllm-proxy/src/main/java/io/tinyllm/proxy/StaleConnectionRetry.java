package io.tinyllm.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * Sends a request once more, at once, when its connection ended before any byte of an answer: how a
 * kept-alive connection that the backend closed while it sat in the pool shows. This replaces
 * HttpClient's check of a connection idle for a while before reuse, which waits a millisecond on
 * the socket each time (added to the first request after every pause). Only requests whose body is
 * held whole are sent again (HttpClient does not repeat a streamed body); a backend that cannot be
 * reached, or that answers at all, is never retried here: failover and statuses are {@link
 * Forwarder}'s.
 */
final class StaleConnectionRetry implements HttpRequestRetryStrategy {
  @Override
  public boolean retryRequest(
      HttpRequest request, IOException exception, int execCount, HttpContext context) {
    return execCount == 1 && endedBeforeAnswer(exception);
  }

  static boolean endedBeforeAnswer(IOException exception) {
    return exception instanceof NoHttpResponseException
        || (exception instanceof SocketException
            && !(exception instanceof ConnectException)
            && !(exception instanceof NoRouteToHostException));
  }

  @Override
  public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
    return false; // a 429 or 503 goes to the client, or to another backend, as it came
  }

  @Override
  public TimeValue getRetryInterval(
      HttpRequest request, IOException exception, int execCount, HttpContext context) {
    return TimeValue.ZERO_MILLISECONDS;
  }

  @Override
  public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
    return TimeValue.ZERO_MILLISECONDS;
  }
}
