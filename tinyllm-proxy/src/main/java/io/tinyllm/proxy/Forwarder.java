package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.ollama.OllamaMetrics;
import io.tinyllm.ollama.RequestType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one exchange to Ollama and its answer back, unchanged: method, path, query, headers
 * (less the hop-by-hop ones) and body, the answer piece by piece as it arrives with a flush after
 * each, while {@link JsonAnswerReader} or {@link SseAnswerReader} read LLM answers on the side for
 * the metrics. {@code GET /metrics} is the proxy's own (Ollama has no such path).
 *
 * <p>Each exchange has a thread of its own for its whole life, and the answer is pulled from Ollama
 * only as fast as the client takes it: a slow client holds back its own stream and nothing else. A
 * client that goes away is noticed at the next piece written to it, and the upstream request is
 * then cancelled (its connection closed, which Ollama takes as a cancel). An answer that Ollama
 * breaks off is broken off to the client too (the connection is closed without the final chunk), so
 * a cut answer never looks complete.
 */
final class Forwarder implements HttpHandler {
  /** The request header a calling application may set to attribute its calls to a graph. */
  static final String GRAPH_HEADER = "X-TinyLLM-Graph";

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /** Headers java.net.http sets itself and refuses from callers; the body sets the length. */
  private static final Set<String> SET_BY_CLIENT =
      caseInsensitive("host", "content-length", "expect");

  /** Set by the JDK server for the answer it frames. */
  private static final Set<String> SET_BY_SERVER = caseInsensitive("content-length", "date");

  private static final int PIECE = 16 * 1024;

  private final String upstream;
  private final HttpClient client;
  private final OllamaMetrics metrics;
  private final ProxyMetrics proxyMetrics;
  private final HttpHandler metricsHandler;
  private final ScheduledExecutorService timer;
  private final Duration idleTimeout;

  Forwarder(
      URI upstream,
      Duration idleTimeout,
      ScheduledExecutorService timer,
      HttpClient client,
      OllamaMetrics metrics,
      ProxyMetrics proxyMetrics,
      HttpHandler metricsHandler) {
    String base = requireNonNull(upstream, "upstream is null").toString();
    this.upstream = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.client = requireNonNull(client, "client is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.proxyMetrics = requireNonNull(proxyMetrics, "proxyMetrics is null");
    this.metricsHandler = requireNonNull(metricsHandler, "metricsHandler is null");
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    this.timer = requireNonNull(timer, "timer is null");
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if ("/metrics".equals(path) && ("GET".equals(method) || "HEAD".equals(method))) {
      metricsHandler.handle(exchange);
      return;
    }
    proxyMetrics.started();
    try {
      forward(exchange, method, path);
    } finally {
      proxyMetrics.ended();
    }
  }

  /**
   * Forwards the exchange. Throwing out of here (rather than closing the exchange) makes the JDK
   * server drop the connection: how a broken answer reaches the client.
   */
  private void forward(HttpExchange exchange, String method, String path) throws IOException {
    String pathLabel = ProxyPaths.label(path);
    Headers requestHeaders = exchange.getRequestHeaders();
    LlmEndpoint endpoint = LlmEndpoint.of(method, path);
    InputStream body = exchange.getRequestBody();
    RequestPeek peek = endpoint == null ? null : RequestPeek.read(body);
    if (peek != null) {
      body = peek.body(body);
    }
    HttpRequest request = upstreamRequest(exchange, method, requestHeaders, body);

    CallRecorder recorder = null;
    if (endpoint != null) {
      RequestType type = endpoint.type(peek.stream());
      OllamaMetrics.Call call;
      try (ExecutionContext.Scope scope =
          ExecutionContext.open(graph(requestHeaders), ExecutionContext.NONE)) {
        call = metrics.requestStarted(peek.model(), type);
      }
      recorder = new CallRecorder(call, peek.model(), endpoint, type);
    }

    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      upstreamFailed(exchange, pathLabel, recorder, ErrorType.TIMEOUT, 504, e);
      return;
    } catch (IOException e) {
      upstreamFailed(exchange, pathLabel, recorder, ErrorType.CONNECTION, 502, e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (recorder != null) {
        recorder.cancelled();
      }
      throw new IOException("interrupted while waiting for Ollama", e);
    }
    relay(exchange, method, pathLabel, response, recorder);
  }

  private HttpRequest upstreamRequest(
      HttpExchange exchange, String method, Headers headers, InputStream body) {
    URI requestUri = exchange.getRequestURI();
    String query = requestUri.getRawQuery();
    URI target =
        URI.create(upstream + requestUri.getRawPath() + (query == null ? "" : "?" + query));
    long length = contentLength(headers);
    boolean hasBody = length > 0 || headers.containsKey("Transfer-Encoding");
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
    if (hasBody) {
      InputStream stream = body;
      publisher = HttpRequest.BodyPublishers.ofInputStream(() -> stream);
      if (length > 0) {
        publisher = HttpRequest.BodyPublishers.fromPublisher(publisher, length);
      }
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(target).method(method, publisher);
    HopByHop hopByHop = new HopByHop(headers.get("Connection"));
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      String name = header.getKey();
      if (hopByHop.drops(name) || SET_BY_CLIENT.contains(name)) {
        continue;
      }
      for (String value : header.getValue()) {
        try {
          builder.header(name, value);
        } catch (IllegalArgumentException e) {
          // a header java.net.http will not send (restricted or invalid): dropped, as it must be
          log.debug("Not forwarding header {}: {}", name, e.getMessage());
        }
      }
    }
    return builder.build();
  }

  private void relay(
      HttpExchange exchange,
      String method,
      String pathLabel,
      HttpResponse<InputStream> response,
      CallRecorder recorder)
      throws IOException {
    int status = response.statusCode();
    HttpHeaders upstreamHeaders = response.headers();
    Headers headers = exchange.getResponseHeaders();
    HopByHop hopByHop = new HopByHop(upstreamHeaders.allValues("Connection"));
    upstreamHeaders
        .map()
        .forEach(
            (name, values) -> {
              if (!name.startsWith(":") && !hopByHop.drops(name) && !SET_BY_SERVER.contains(name)) {
                headers.put(name, values);
              }
            });
    long length = upstreamHeaders.firstValueAsLong("Content-Length").orElse(-1);
    InputStream in = response.body();
    boolean head = "HEAD".equals(method);
    if (head || status == 304) {
      // no body follows, but the length says what a GET would get
      upstreamHeaders.firstValue("Content-Length").ifPresent(v -> headers.set("Content-Length", v));
      exchange.sendResponseHeaders(status, -1);
    } else if (status == 204 || status < 200) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      // a known length is kept; else chunked, each piece flushed as it comes
      exchange.sendResponseHeaders(status, length == 0 ? -1 : Math.max(length, 0));
    }
    proxyMetrics.answered(pathLabel, status);

    AnswerTap tap =
        recorder == null || status >= 400 ? AnswerTap.NONE : tap(upstreamHeaders, recorder);
    OutputStream out = exchange.getResponseBody();
    byte[] piece = new byte[PIECE];
    Runnable ended =
        recorder == null
            ? () -> {}
            : () -> {
              tap.end();
              recorder.answerEnded(status, tap.malformed(), tap.doneMarker());
            };
    try (IdleWatch watch = new IdleWatch(timer, in, idleTimeout)) {
      relayBody(in, out, piece, watch, pathLabel, recorder, tap, length, ended);
    }
    exchange.close();
  }

  private void relayBody(
      InputStream in,
      OutputStream out,
      byte[] piece,
      IdleWatch watch,
      String pathLabel,
      CallRecorder recorder,
      AnswerTap tap,
      long length,
      Runnable ended)
      throws IOException {
    // the metrics of a piece are recorded before the client has it, so a client that scrapes
    // right after its answer sees the answer counted
    long remaining = length;
    boolean recorded = false;
    while (true) {
      int n;
      try {
        watch.reading();
        n = in.read(piece);
        watch.read();
        // a stream closed under a read ends it with an exception on some JDKs, as an end on others
        if (watch.expired()) {
          throw new IOException("Ollama sent nothing for " + idleTimeout + " in an answer");
        }
      } catch (IOException e) {
        proxyMetrics.upstreamFailed(pathLabel);
        if (recorder != null) {
          recorder.failed(watch.expired() ? ErrorType.TIMEOUT : ErrorType.STREAM_ERROR);
        }
        in.close();
        throw e;
      }
      if (n < 0) {
        break;
      }
      tap.feed(piece, n);
      remaining -= n;
      if (length > 0 && remaining <= 0 && !recorded) {
        recorded = true; // the last piece of an answer of known length
        ended.run();
      }
      try {
        out.write(piece, 0, n);
        out.flush();
      } catch (IOException e) {
        proxyMetrics.clientDisconnected(pathLabel);
        if (recorder != null) {
          recorder.cancelled();
        }
        in.close(); // cancels the upstream request: Ollama stops generating
        throw e;
      }
    }
    in.close();
    if (!recorded) {
      ended.run(); // before the chunked answer's final chunk is written
    }
  }

  private static AnswerTap tap(HttpHeaders headers, CallRecorder recorder) {
    String type = headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    JsonAnswerReader json = new JsonAnswerReader(recorder::object);
    if (type.startsWith("text/event-stream")) {
      return AnswerTap.sse(new SseAnswerReader(json), json);
    }
    return AnswerTap.json(json);
  }

  private void upstreamFailed(
      HttpExchange exchange,
      String pathLabel,
      CallRecorder recorder,
      ErrorType type,
      int status,
      IOException e)
      throws IOException {
    proxyMetrics.upstreamFailed(pathLabel);
    if (recorder != null) {
      recorder.failed(type);
    }
    String message =
        (status == 504 ? "timed out waiting for Ollama at " : "cannot reach Ollama at ")
            + upstream
            + ": "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    byte[] bytes = ("{\"error\":\"" + jsonEscape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    proxyMetrics.answered(pathLabel, status);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The graph a calling application named in {@link #GRAPH_HEADER}, else the default. */
  private static String graph(Headers headers) {
    String graph = headers.getFirst(GRAPH_HEADER);
    // the label guard bounds the value; blank is the default, as outside a graph
    return graph == null || graph.isBlank() ? ExecutionContext.NONE : graph.strip();
  }

  private static long contentLength(Headers headers) {
    String value = headers.getFirst("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static Set<String> caseInsensitive(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return set;
  }
}
