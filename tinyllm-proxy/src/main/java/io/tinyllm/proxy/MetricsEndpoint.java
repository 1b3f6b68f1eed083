package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Enumeration;

/**
 * {@code GET /metrics} on the proxy's own port, served by client_java's {@link
 * PrometheusScrapeHandler} as its HTTP servers serve it: the exposition format the {@code Accept}
 * header asks for (text, OpenMetrics, protobuf), {@code name[]} to scrape some families only, gzip
 * when the scraper accepts it.
 */
final class MetricsEndpoint {
  private final PrometheusScrapeHandler handler;

  MetricsEndpoint(PrometheusRegistry registry) {
    requireNonNull(registry, "registry is null");
    handler = new PrometheusScrapeHandler(PrometheusProperties.builder().build(), registry);
  }

  /** Answers a scrape. */
  void handle(ProxyExchange exchange) throws IOException {
    Scrape scrape = new Scrape(exchange);
    handler.handleRequest(scrape);
    ByteArrayOutputStream body = scrape.body;
    exchange.respond(
        scrape.status,
        body.size() == 0 ? ProxyExchange.NO_BODY : body.size(),
        out -> body.writeTo(out));
  }

  /** One scrape, its answer held until the handler is done (it knows the length only then). */
  private static final class Scrape
      implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    private final ProxyExchange exchange;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status = 200;

    Scrape(ProxyExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public PrometheusHttpRequest getRequest() {
      return this;
    }

    @Override
    public PrometheusHttpResponse getResponse() {
      return this;
    }

    @Override
    public String getQueryString() {
      return exchange.rawQuery();
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return Collections.enumeration(exchange.requestHeaderValues(name));
    }

    @Override
    public String getMethod() {
      return exchange.method();
    }

    @Override
    public String getRequestPath() {
      return exchange.path();
    }

    @Override
    public void setHeader(String name, String value) {
      if (!"Content-Length".equalsIgnoreCase(name)) { // the proxy's server frames the answer
        exchange.setResponseHeader(name, value);
      }
    }

    @Override
    public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
      status = statusCode;
      return body;
    }

    @Override
    public void handleException(IOException e) throws IOException {
      throw e;
    }

    @Override
    public void handleException(RuntimeException e) {
      throw e;
    }

    @Override
    public void close() {}
  }
}
