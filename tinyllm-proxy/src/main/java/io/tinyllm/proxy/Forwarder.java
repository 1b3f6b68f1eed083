package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.ollama.OllamaMetrics;
import io.tinyllm.ollama.RequestType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hc.core5.http.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one exchange to Ollama and its answer back, unchanged: method, path, query, headers
 * (less the hop-by-hop ones) and body, the answer piece by piece as it arrives with a flush after
 * each, while {@link JsonAnswerReader} or {@link SseAnswerReader} read LLM answers on the side for
 * the metrics.
 *
 * <p>Each exchange runs on its client connection's thread ({@link ProxyHttpServer}), which also
 * sends the request upstream and reads the answer from the socket ({@link Upstream}), so the answer
 * is pulled from Ollama only as fast as the client takes it: a slow client holds back its own
 * stream and nothing else. A client that goes away is noticed at the next piece written to it, and
 * the upstream request is then cancelled (its connection closed, which Ollama takes as a cancel).
 * An answer that Ollama breaks off is broken off to the client too (the connection is closed
 * without the final chunk), so a cut answer never looks complete.
 */
final class Forwarder {
  /** The request header a calling application may set to attribute its calls to a graph. */
  static final String GRAPH_HEADER = "X-TinyLLM-Graph";

  /** The request header that gives a call its place in the optional admission queue. */
  static final String PRIORITY_HEADER = "X-TinyLLM-Priority";

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /** Set by the server for the answer it frames. */
  private static final Set<String> SET_BY_SERVER = caseInsensitive("content-length", "date");

  private static final int PIECE = 16 * 1024;

  /** Statuses another backend may answer better, before any byte reached the client. */
  private static final Set<Integer> FAILS_OVER = Set.of(502, 503, 504);

  /** Paths that name a model, so a fleet sends them to a backend that has it. */
  private static final Set<String> ROUTED_BY_MODEL = Set.of("/api/show");

  private final Fleet fleet;
  private final FleetMetrics fleetMetrics;
  private final FleetViews views;
  private final Upstream upstream;
  private final OllamaMetrics metrics;
  private final ProxyMetrics proxyMetrics;
  private final IdleWatches watches;
  private final Duration idleTimeout;
  private final ProxyCache cache;

  Forwarder(
      Fleet fleet,
      FleetMetrics fleetMetrics,
      Duration idleTimeout,
      IdleWatches watches,
      Upstream upstream,
      HttpClient viewsClient,
      OllamaMetrics metrics,
      ProxyMetrics proxyMetrics,
      ProxyCache cache) {
    this.cache = requireNonNull(cache, "cache is null");
    this.fleet = requireNonNull(fleet, "fleet is null");
    this.fleetMetrics = requireNonNull(fleetMetrics, "fleetMetrics is null");
    this.views = new FleetViews(fleet, fleetMetrics, viewsClient, proxyMetrics);
    this.upstream = requireNonNull(upstream, "upstream is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.proxyMetrics = requireNonNull(proxyMetrics, "proxyMetrics is null");
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    this.watches = requireNonNull(watches, "watches is null");
  }

  /** Answers {@code exchange}: forwarded, or one of the fleet-wide views. */
  void handle(ProxyExchange exchange) throws IOException {
    String path = exchange.path();
    String method = exchange.method();
    proxyMetrics.started();
    try {
      if (fleet.single() || !views.handle(exchange, method, path)) {
        forward(exchange, method, path);
      }
    } finally {
      proxyMetrics.ended();
    }
  }

  /**
   * Forwards the exchange to the backend the fleet chooses, and to the next one while a backend
   * fails before its answer's first byte (unreachable, 502, 503 or 504, or a 404 to an LLM call,
   * whose model it lacks) and the request can be sent again. Throwing out of here (rather than
   * answering) makes the server drop the connection: how a broken answer reaches the client.
   */
  private void forward(ProxyExchange exchange, String method, String path) throws IOException {
    String pathLabel = ProxyPaths.label(path);
    LlmEndpoint endpoint = LlmEndpoint.of(method, path);
    InputStream body = exchange.requestBody();
    long length = contentLength(exchange.requestHeader("Content-Length"));
    boolean hasBody = length > 0 || exchange.requestHeader("Transfer-Encoding") != null;
    // a fleet reads the start of every body: to route by model, and to send it again on failover
    RequestPeek peek =
        endpoint != null || (hasBody && (!fleet.single() || ROUTED_BY_MODEL.contains(path)))
            ? RequestPeek.read(body)
            : null;
    Body source = Body.of(hasBody, length, peek, body);

    CallRecorder recorder = null;
    if (endpoint != null) {
      RequestType type = endpoint.type(peek.stream());
      OllamaMetrics.Call call;
      try (ExecutionContext.Scope scope =
          ExecutionContext.open(
              graph(exchange.requestHeader(GRAPH_HEADER)), ExecutionContext.NONE)) {
        call = metrics.requestStarted(peek.model(), type);
      }
      recorder = new CallRecorder(call, peek.model(), endpoint, type);
    }
    // a deterministic call answered before: the stored answer, no backend asked
    CacheLookup cached = cache.lookup(endpoint, peek, exchange.requestHeader("Authorization"));
    if (cached != null && cached.hit()) {
      cached.replay(exchange, pathLabel, recorder, proxyMetrics);
      return;
    }

    String model = peek == null ? null : peek.model();
    String conversation = peek == null ? null : peek.conversation();
    Set<Backend> tried = new HashSet<>();
    Fleet.Route route = fleet.route(model, conversation, tried);
    if (route == null) {
      noBackend(exchange, pathLabel, recorder);
      return;
    }
    while (true) {
      Backend backend = route.backend();
      tried.add(backend);
      fleetMetrics.routed(backend.name(), route.reason());
      AdmissionGate gate = backend.admission();
      if (gate != null
          && !admitted(gate, exchange.requestHeader(PRIORITY_HEADER), backend, recorder)) {
        noPlace(exchange, pathLabel, recorder, backend);
        return;
      }
      String pathAndQuery = exchange.rawPath() + query(exchange);
      backend.started();
      fleetMetrics.started(backend.name());
      try {
        Upstream.Call call = null;
        ErrorType failure = null;
        IOException cause = null;
        try {
          call =
              upstream.open(backend, method, pathAndQuery, exchange.requestHeaderFields(), source);
        } catch (IOException e) {
          if (source.brokenOffByClient()) {
            // the client went away mid-body (or sent a broken one): no fault of the backend's,
            // nothing to answer, and the half-sent request goes nowhere else
            proxyMetrics.clientDisconnected(pathLabel);
            if (recorder != null) {
              recorder.cancelled();
            }
            throw e;
          }
          // connecting (ConnectTimeoutException) or reading
          failure = e instanceof SocketTimeoutException ? ErrorType.TIMEOUT : ErrorType.CONNECTION;
          cause = e;
        }
        int status = call == null ? -1 : call.status();
        if (failure == null && status < 500 && status != 429) {
          backend.succeeded();
        } else {
          backend.failed();
        }
        if (call != null) {
          if (status >= 500 || status == 429) {
            failure = CallRecorder.errorTypeOf(status);
          }
          // a model missing where the last health check saw it (deleted since, or a stale list)
          boolean missing =
              status == 404
                  && model != null
                  && (endpoint != null || ROUTED_BY_MODEL.contains(path));
          if (!FAILS_OVER.contains(status) && !missing) {
            if (status < 400) {
              fleet.remember(conversation, backend);
            }
            relay(exchange, method, pathLabel, call, recorder, backend, cached);
            return;
          }
        }
        if (failure != null) {
          fleetMetrics.failed(backend.name(), failure);
        }
        Fleet.Route next = source.replayable() ? fleet.route(model, conversation, tried) : null;
        if (next != null) {
          // nothing reached the client yet: the next backend answers instead
          fleetMetrics.failedOver(backend.name());
          log.debug("Backend {} failed ({}); trying {}", backend, failure, next.backend());
          if (call != null) {
            call.cancel(); // its error answer is not read
          }
          route = next;
          continue;
        }
        if (call != null) {
          relay(exchange, method, pathLabel, call, recorder, backend, cached);
        } else {
          upstreamFailed(
              exchange,
              pathLabel,
              recorder,
              backend,
              failure,
              failure == ErrorType.TIMEOUT ? 504 : 502,
              cause);
        }
        return;
      } finally {
        backend.ended();
        fleetMetrics.ended(backend.name());
        if (gate != null) {
          gate.release();
        }
      }
    }
  }

  private static String query(ProxyExchange exchange) {
    String query = exchange.rawQuery();
    return query == null ? "" : "?" + query;
  }

  private void relay(
      ProxyExchange exchange,
      String method,
      String pathLabel,
      Upstream.Call call,
      CallRecorder recorder,
      Backend backend,
      CacheLookup cached)
      throws IOException {
    try (call) {
      int status = call.status();
      Header[] upstreamHeaders = call.headers();
      HopByHop hopByHop = new HopByHop(connectionValues(upstreamHeaders));
      String contentType = null;
      for (Header header : upstreamHeaders) {
        String name = header.getName();
        if (!hopByHop.drops(name) && !SET_BY_SERVER.contains(name)) {
          exchange.addResponseHeader(name, header.getValue());
        }
        if (contentType == null && "Content-Type".equalsIgnoreCase(name)) {
          contentType = header.getValue();
        }
      }
      long length = call.length();
      InputStream in = call.body();
      boolean head = "HEAD".equals(method);
      long framing;
      if (head || status == 304) {
        // no body follows, but the length says what a GET would get
        String declared = call.header("Content-Length");
        if (declared != null) {
          exchange.setResponseHeader("Content-Length", declared);
        }
        framing = ProxyExchange.NO_BODY;
      } else if (status == 204 || status < 200 || in == null || length == 0) {
        framing = ProxyExchange.NO_BODY;
      } else {
        // a known length is kept; else chunked, each piece flushed as it comes
        framing = length > 0 ? length : ProxyExchange.CHUNKED;
      }
      proxyMetrics.answered(pathLabel, status);

      AnswerRecording recording = cached == null ? null : cached.recording(status, contentType);
      AnswerTap read =
          recorder == null || status >= 400
              ? AnswerTap.NONE
              : tap(contentType == null ? "" : contentType, recorder);
      AnswerTap tap = recording == null ? read : read.recordingTo(recording);
      Runnable ended =
          recorder == null
              ? () -> {}
              : () -> {
                tap.end();
                recorder.answerEnded(status, tap.malformed(), tap.doneMarker());
                if (recording != null) {
                  recording.finish(recorder.replayable());
                }
              };
      if (framing == ProxyExchange.NO_BODY) {
        if (in != null && !head) {
          drain(in); // empty by its framing; read to its end, the connection goes back to the pool
        }
        ended.run();
        exchange.respond(status, framing, null);
      } else {
        exchange.respond(
            status,
            framing,
            out -> {
              try (IdleWatch watch = watches.watch(call::cancel)) {
                relayBody(in, out, call, watch, pathLabel, recorder, backend, tap, length, ended);
              }
            });
      }
    }
  }

  /** Reads the rest of an answer that has no body to pass on; more than a piece is dropped. */
  private static void drain(InputStream in) throws IOException {
    byte[] rest = new byte[PIECE];
    int total = 0;
    int n;
    while (total < PIECE && (n = in.read(rest)) >= 0) {
      total += n;
    }
  }

  private static List<String> connectionValues(Header[] headers) {
    List<String> values = null;
    for (Header header : headers) {
      if ("Connection".equalsIgnoreCase(header.getName())) {
        if (values == null) {
          values = new ArrayList<>(1);
        }
        values.add(header.getValue());
      }
    }
    return values;
  }

  private void relayBody(
      InputStream in,
      OutputStream out,
      Upstream.Call call,
      IdleWatch watch,
      String pathLabel,
      CallRecorder recorder,
      Backend backend,
      AnswerTap tap,
      long length,
      Runnable ended)
      throws IOException {
    // the metrics of a piece are recorded before the client has it, so a client that scrapes
    // right after its answer sees the answer counted
    byte[] piece = new byte[PIECE];
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
        ErrorType type = watch.expired() ? ErrorType.TIMEOUT : ErrorType.STREAM_ERROR;
        fleetMetrics.failed(backend.name(), type);
        if (recorder != null) {
          recorder.failed(type);
        }
        call.cancel();
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
        call.cancel(); // closes the upstream connection: Ollama stops generating
        throw e;
      }
    }
    if (!recorded) {
      ended.run(); // before the chunked answer's final chunk is written
    }
  }

  private static AnswerTap tap(String contentType, CallRecorder recorder) {
    String type = contentType.toLowerCase(Locale.ROOT);
    JsonAnswerReader json = new JsonAnswerReader(recorder::object);
    if (type.startsWith("text/event-stream")) {
      return AnswerTap.sse(new SseAnswerReader(json), json);
    }
    return AnswerTap.json(json);
  }

  private void upstreamFailed(
      ProxyExchange exchange,
      String pathLabel,
      CallRecorder recorder,
      Backend backend,
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
            + backend.baseText()
            + ": "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    byte[] bytes = ("{\"error\":\"" + jsonEscape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
    proxyMetrics.answered(pathLabel, status);
    answerJson(exchange, status, bytes);
  }

  /** Answers {@code json} with {@code status}. */
  static void answerJson(ProxyExchange exchange, int status, byte[] json) throws IOException {
    exchange.setResponseHeader("Content-Type", "application/json; charset=utf-8");
    exchange.respond(status, json.length, out -> out.write(json));
  }

  /** Waits for a place on the backend in the caller's priority; false when none came in time. */
  private boolean admitted(
      AdmissionGate gate, String priority, Backend backend, CallRecorder recorder)
      throws IOException {
    try {
      if (gate.admit(priority(priority), fleet.admission().maxWait())) {
        return true;
      }
      backend.released();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      backend.released();
      if (recorder != null) {
        recorder.cancelled();
      }
      throw new IOException("interrupted while waiting for a place on " + backend, e);
    }
  }

  /**
   * The priority a caller gave in {@link #PRIORITY_HEADER}, the header's {@code value}; normal when
   * absent (null) or unknown.
   */
  static Priority priority(String value) {
    if (value != null) {
      for (Priority priority : Priority.values()) {
        if (priority.label().equalsIgnoreCase(value.strip())) {
          return priority;
        }
      }
    }
    return Priority.NORMAL;
  }

  /** No place on the backend within the admission queue's maximum wait: a 503. */
  private void noPlace(
      ProxyExchange exchange, String pathLabel, CallRecorder recorder, Backend backend)
      throws IOException {
    if (recorder != null) {
      recorder.failed(ErrorType.SERVER_BUSY);
    }
    byte[] bytes =
        ("{\"error\":\"no place on backend "
                + jsonEscape(backend.name())
                + " within "
                + fleet.admission().maxWait()
                + " (proxy.admission.max-wait)\"}")
            .getBytes(StandardCharsets.UTF_8);
    proxyMetrics.answered(pathLabel, 503);
    answerJson(exchange, 503, bytes);
  }

  /** Every backend's circuit breaker is open: a 503, as an Ollama with a full queue answers. */
  private void noBackend(ProxyExchange exchange, String pathLabel, CallRecorder recorder)
      throws IOException {
    if (recorder != null) {
      recorder.failed(ErrorType.CIRCUIT_OPEN);
    }
    byte[] bytes =
        "{\"error\":\"no Ollama backend takes requests now: every circuit breaker is open\"}"
            .getBytes(StandardCharsets.UTF_8);
    proxyMetrics.answered(pathLabel, 503);
    answerJson(exchange, 503, bytes);
  }

  /**
   * The graph a calling application named in {@link #GRAPH_HEADER} (null: none), else the default.
   */
  private static String graph(String graph) {
    // the label guard bounds the value; blank is the default, as outside a graph
    return graph == null || graph.isBlank() ? ExecutionContext.NONE : graph.strip();
  }

  /** A {@code Content-Length} header's value as a number; -1 when absent (null) or not a number. */
  static long contentLength(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String jsonEscape(String text) {
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
