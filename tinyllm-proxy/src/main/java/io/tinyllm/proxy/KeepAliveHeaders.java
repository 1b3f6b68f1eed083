package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Iterator;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HeaderElement;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.MessageHeaders;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.message.MessageSupport;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;

/**
 * Says on each answer whether the client's connection stays open: {@code Connection: close} when
 * the client asked for it (or spoke HTTP/1.0 without {@code keep-alive}), else {@code Keep-Alive:
 * timeout=N}, so a client that reuses idle connections (Node's {@code fetch}) drops one before the
 * proxy closes it. HttpCore's own {@code ResponseConnControl} also closes after every 400, 408,
 * 411, 413, 414, 501 and 503, which would close a connection after each "server busy" that Ollama
 * answers through the proxy.
 */
final class KeepAliveHeaders implements HttpResponseInterceptor {
  private final String keepAlive;

  KeepAliveHeaders(Duration timeout) {
    requireNonNull(timeout, "timeout is null");
    keepAlive = "timeout=" + Math.max(1, timeout.toSeconds());
  }

  @Override
  public void process(HttpResponse response, EntityDetails entity, HttpContext context) {
    if (saysClose(response)) {
      return;
    }
    HttpCoreContext core = HttpCoreContext.cast(context);
    HttpRequest request = core.getRequest();
    ProtocolVersion version = core.getProtocolVersion();
    boolean old = version != null && version.lessEquals(HttpVersion.HTTP_1_0);
    boolean close = request != null && has(request, "close");
    boolean keep = request != null && has(request, "keep-alive");
    if (close || (old && !keep) || (old && entity != null && entity.getContentLength() < 0)) {
      response.setHeader("Connection", "close");
      return;
    }
    if (old) {
      response.setHeader("Connection", "keep-alive");
    }
    response.setHeader("Keep-Alive", keepAlive);
  }

  private static boolean saysClose(HttpResponse response) {
    return has(response, "close");
  }

  private static boolean has(MessageHeaders message, String token) {
    Iterator<HeaderElement> elements = MessageSupport.iterate(message, "Connection");
    while (elements.hasNext()) {
      if (token.equalsIgnoreCase(elements.next().getName())) {
        return true;
      }
    }
    return false;
  }
}
