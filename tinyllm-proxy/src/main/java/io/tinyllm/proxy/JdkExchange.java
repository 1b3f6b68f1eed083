package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A {@link ProxyExchange} carried by the JDK's HTTP server. */
final class JdkExchange implements ProxyExchange {
  private final HttpExchange exchange;

  JdkExchange(HttpExchange exchange) {
    this.exchange = requireNonNull(exchange, "exchange is null");
  }

  @Override
  public String method() {
    return exchange.getRequestMethod();
  }

  @Override
  public String path() {
    return exchange.getRequestURI().getPath();
  }

  @Override
  public String rawPath() {
    return exchange.getRequestURI().getRawPath();
  }

  @Override
  public String rawQuery() {
    return exchange.getRequestURI().getRawQuery();
  }

  @Override
  public Headers requestHeaders() {
    return exchange.getRequestHeaders();
  }

  @Override
  public InputStream requestBody() {
    return exchange.getRequestBody();
  }

  @Override
  public void setResponseHeader(String name, String value) {
    exchange.getResponseHeaders().set(name, value);
  }

  @Override
  public void addResponseHeader(String name, String value) {
    exchange.getResponseHeaders().add(name, value);
  }

  @Override
  public void respond(int status, long length, BodyWriter body) throws IOException {
    exchange.sendResponseHeaders(status, length);
    if (length != NO_BODY && !"HEAD".equals(method()) && status != 204 && status != 304) {
      OutputStream out = exchange.getResponseBody();
      body.writeTo(out);
      out.close();
    }
    exchange.close();
  }
}
