package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tinyllm.api.error.ErrorType;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fleet answers as one Ollama: {@code GET /api/tags} and {@code GET /api/ps} merge every
 * backend's list, and the model-management calls go to every backend, so each has the same models.
 *
 * <ul>
 *   <li>{@code /api/tags}: each model once per name and digest, in backend order; {@code /api/ps}:
 *       every loaded instance, with a {@code backend} field naming where it runs. Backends out of
 *       the fleet are left out; a backend that does not answer is left out too, and only when none
 *       answers is the answer a 502.
 *   <li>{@code /api/pull}, {@code /api/create} (streamed): one backend after another, each
 *       introduced by a line {@code {"status":"fleet: pull on backend gpu-1 (1 of 2)"}}, its own
 *       lines passed on unchanged; a backend that fails says so in a status line, and the stream
 *       then ends with {@code {"error":"pull failed on 1 of 2 backends: ..."}}. With {@code
 *       "stream": false}: the first backend's answer when all succeed, else a 502 naming each
 *       failure.
 *   <li>{@code /api/delete}, {@code /api/copy}: one combined status. Success where every backend
 *       succeeded, or succeeded or did not have the model (404); the same failure everywhere is
 *       passed on as it is; else a 502 naming each backend that failed. An ejected backend is not
 *       called and counts as failed, since it would miss the change.
 * </ul>
 */
final class FleetViews {
  /** A fan-out body is sent once per backend, so it is held whole; Ollama's are small. */
  static final int MAX_FAN_OUT_BODY = RequestPeek.LIMIT;

  /** One line of a pull or create stream, or one error answer, at most. */
  private static final int MAX_LINE = 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Logger log = LoggerFactory.getLogger(FleetViews.class);

  private final Fleet fleet;
  private final FleetMetrics metrics;
  private final HttpClient client;
  private final ProxyMetrics proxyMetrics;

  FleetViews(Fleet fleet, FleetMetrics metrics, HttpClient client, ProxyMetrics proxyMetrics) {
    this.fleet = requireNonNull(fleet, "fleet is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.client = requireNonNull(client, "client is null");
    this.proxyMetrics = requireNonNull(proxyMetrics, "proxyMetrics is null");
  }

  /** Answers the exchange if it is one of the fleet-wide calls; false if it is not. */
  boolean handle(ProxyExchange exchange, String method, String path) throws IOException {
    switch (method + " " + path) {
      case "GET /api/tags" -> merge(exchange, path, false);
      case "GET /api/ps" -> merge(exchange, path, true);
      case "POST /api/pull" -> progress(exchange, path, "pull");
      case "POST /api/create" -> progress(exchange, path, "create");
      case "DELETE /api/delete" -> combined(exchange, path, "delete");
      case "POST /api/copy" -> combined(exchange, path, "copy");
      default -> {
        return false;
      }
    }
    return true;
  }

  private void merge(ProxyExchange exchange, String path, boolean instances) throws IOException {
    exchange.requestBody().close();
    List<Backend> targets = fleet.backends().stream().filter(Backend::healthy).toList();
    if (targets.isEmpty()) {
      targets = fleet.backends();
    }
    List<CompletableFuture<HttpResponse<InputStream>>> answers = new ArrayList<>();
    for (Backend backend : targets) {
      metrics.started(backend.name());
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(backend.baseText() + path))
              .timeout(fleet.config().healthTimeout())
              .GET()
              .build();
      answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()));
    }
    ArrayNode models = JSON.createArrayNode();
    Set<String> seen = new HashSet<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Backend backend = targets.get(i);
      try {
        HttpResponse<InputStream> response = join(answers.get(i));
        byte[] body =
            BoundedRead.read(
                response.body(), Fleet.MAX_PROBE_BYTES, fleet.config().healthTimeout());
        if (response.statusCode() != 200) {
          metrics.failed(backend.name(), CallRecorder.errorTypeOf(response.statusCode()));
          failures.add(backend.name() + ": " + errorText(response.statusCode(), body));
          continue;
        }
        for (JsonNode model : JSON.readTree(body).path("models")) {
          if (!model.isObject()) {
            continue; // not a model: Ollama never sends one
          }
          if (instances) {
            ((ObjectNode) model).put("backend", backend.name());
            models.add(model);
          } else if (seen.add(model.path("name").asText() + "@" + model.path("digest").asText())) {
            models.add(model);
          }
        }
      } catch (IOException e) {
        metrics.failed(backend.name(), errorType(e));
        failures.add(backend.name() + ": " + message(e));
      } finally {
        metrics.ended(backend.name());
      }
    }
    if (failures.size() == targets.size()) {
      answer(
          exchange,
          path,
          502,
          error("no backend of the fleet answered " + path + ": " + String.join("; ", failures)));
      return;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("models", models);
    answer(exchange, path, 200, JSON.writeValueAsBytes(answer));
  }

  /** Pull or create on every backend, one after another, as one progress stream. */
  private void progress(ProxyExchange exchange, String path, String operation) throws IOException {
    byte[] body = requestBody(exchange, path, operation);
    if (body == null) {
      return;
    }
    RequestPeek peek = RequestPeek.read(new ByteArrayInputStream(body));
    if (Boolean.FALSE.equals(peek.stream())) {
      combined(exchange, path, operation, body, false);
      return;
    }
    exchange.setResponseHeader("Content-Type", "application/x-ndjson");
    proxyMetrics.answered(ProxyPaths.label(path), 200);
    exchange.respond(
        200, ProxyExchange.CHUNKED, out -> progress(exchange, path, operation, body, out));
  }

  /** The progress stream's lines, written to {@code out}. */
  private void progress(
      ProxyExchange exchange, String path, String operation, byte[] body, OutputStream out)
      throws IOException {
    List<Backend> backends = fleet.backends();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      Backend backend = backends.get(i);
      String which = "backend " + backend.name() + " (" + (i + 1) + " of " + backends.size() + ")";
      if (!backend.healthy()) {
        failures.add(backend.name() + ": out of the fleet (failing health checks)");
        status(out, "fleet: " + operation + " skipped on " + which + ": out of the fleet");
        continue;
      }
      status(out, "fleet: " + operation + " on " + which);
      String failure = relayProgress(exchange, path, body, backend, out);
      if (failure != null) {
        failures.add(backend.name() + ": " + failure);
        status(out, "fleet: " + operation + " failed on " + which + ": " + failure);
      }
    }
    if (!failures.isEmpty()) {
      write(out, error(summary(operation, failures, backends.size())));
    }
  }

  /** One backend's progress lines to {@code out}; its failure, or null. */
  private String relayProgress(
      ProxyExchange exchange, String path, byte[] body, Backend backend, OutputStream out)
      throws IOException {
    metrics.started(backend.name());
    try {
      HttpResponse<InputStream> response;
      try {
        response =
            client.send(
                request(exchange, backend, path, body), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        metrics.failed(backend.name(), errorType(e));
        return message(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Ollama", e);
      }
      try (InputStream in = new BufferedInputStream(response.body())) {
        if (response.statusCode() >= 400) {
          metrics.failed(backend.name(), CallRecorder.errorTypeOf(response.statusCode()));
          return errorText(response.statusCode(), readBounded(in, MAX_LINE));
        }
        byte[] line;
        while ((line = readLine(in)) != null) {
          if (line.length == 0) {
            continue;
          }
          String error = errorField(line);
          if (error != null) {
            metrics.failed(backend.name(), ErrorType.SERVER_ERROR);
            return error; // said as the fleet's own status line, so the stream goes on
          }
          write(out, line);
        }
        return null;
      } catch (IOException e) {
        if (e instanceof ClientGone) {
          throw e;
        }
        metrics.failed(backend.name(), ErrorType.STREAM_ERROR);
        return message(e);
      }
    } finally {
      metrics.ended(backend.name());
    }
  }

  private void combined(ProxyExchange exchange, String path, String operation) throws IOException {
    byte[] body = requestBody(exchange, path, operation);
    if (body != null) {
      combined(exchange, path, operation, body, true);
    }
  }

  /**
   * Calls every backend and answers one status: see the class comment. {@code absentIsFine}: a 404
   * from a backend that lacks the model does not fail the whole.
   */
  private void combined(
      ProxyExchange exchange, String path, String operation, byte[] body, boolean absentIsFine)
      throws IOException {
    List<Backend> backends = fleet.backends();
    List<String> failures = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    byte[] first = null;
    byte[] firstFailure = null;
    int succeeded = 0;
    int absent = 0;
    for (Backend backend : backends) {
      if (!backend.healthy()) {
        failures.add(backend.name() + ": out of the fleet (failing health checks)");
        statuses.add(-1);
        continue;
      }
      metrics.started(backend.name());
      try {
        HttpResponse<InputStream> response =
            client.send(
                request(exchange, backend, path, body), HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        byte[] answer = readBounded(response.body(), MAX_LINE);
        statuses.add(status);
        if (status < 300) {
          succeeded++;
          first = first == null ? answer : first;
        } else {
          if (status >= 500 || status == 429) {
            metrics.failed(backend.name(), CallRecorder.errorTypeOf(status));
          }
          absent += status == 404 ? 1 : 0;
          firstFailure = firstFailure == null ? answer : firstFailure;
          failures.add(backend.name() + ": " + errorText(status, answer));
        }
      } catch (IOException e) {
        metrics.failed(backend.name(), errorType(e));
        statuses.add(-1);
        failures.add(backend.name() + ": " + message(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Ollama", e);
      } finally {
        metrics.ended(backend.name());
      }
    }
    if (failures.isEmpty() || (absentIsFine && succeeded > 0 && absent == failures.size())) {
      answer(exchange, path, 200, first);
    } else if (succeeded == 0 && statuses.stream().distinct().count() == 1 && statuses.get(0) > 0) {
      answer(exchange, path, statuses.get(0), firstFailure); // the same answer everywhere
    } else {
      answer(exchange, path, 502, error(summary(operation, failures, backends.size())));
    }
  }

  private static String summary(String operation, List<String> failures, int backends) {
    return operation
        + " failed on "
        + failures.size()
        + " of "
        + backends
        + " backends: "
        + String.join("; ", failures);
  }

  /** The request body, held whole; null after answering 413 when it is too large. */
  private byte[] requestBody(ProxyExchange exchange, String path, String operation)
      throws IOException {
    byte[] body;
    try (InputStream in = exchange.requestBody()) {
      body = in.readNBytes(MAX_FAN_OUT_BODY + 1);
    }
    if (body.length > MAX_FAN_OUT_BODY) {
      answer(
          exchange,
          path,
          413,
          error(
              "a "
                  + operation
                  + " request over "
                  + MAX_FAN_OUT_BODY / 1024
                  + " KiB cannot be sent to every backend of the fleet"));
      return null;
    }
    return body;
  }

  private HttpRequest request(ProxyExchange exchange, Backend backend, String path, byte[] body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(backend.baseText() + path))
            .method(
                exchange.method(),
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    copyHeaders(exchange.requestHeaderFields(), builder);
    return builder.build();
  }

  /** Copies the request headers that go upstream: all but hop-by-hop and framing ones. */
  private static void copyHeaders(
      List<Map.Entry<String, String>> headers, HttpRequest.Builder builder) {
    HopByHop.forwarded(
        headers,
        (name, value) -> {
          try {
            builder.header(name, value);
          } catch (IllegalArgumentException e) {
            // a header java.net.http will not send (restricted or invalid): dropped, as it must be
            log.debug("Not forwarding header {}: {}", name, e.getMessage());
          }
        });
  }

  private void answer(ProxyExchange exchange, String path, int status, byte[] body)
      throws IOException {
    proxyMetrics.answered(ProxyPaths.label(path), status);
    if (body == null || body.length == 0) {
      exchange.respond(status, ProxyExchange.NO_BODY, null);
    } else {
      Forwarder.answerJson(exchange, status, body);
    }
  }

  private static void status(OutputStream out, String status) throws IOException {
    write(out, JSON.writeValueAsBytes(JSON.createObjectNode().put("status", status)));
  }

  /** One line to the client, flushed; a client gone ends the whole fan-out. */
  private static void write(OutputStream out, byte[] line) throws IOException {
    try {
      out.write(line);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new ClientGone(e);
    }
  }

  private static byte[] error(String message) {
    try {
      return JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The top-level {@code error} of a JSON line, or null. */
  private static String errorField(byte[] line) {
    try {
      JsonNode error = JSON.readTree(line).get("error");
      return error == null ? null : error.asText();
    } catch (IOException e) {
      return null; // not JSON: passed on as Ollama sent it
    }
  }

  private static String errorText(int status, byte[] body) {
    String error = errorField(body);
    return "status " + status + (error == null ? "" : ": " + error);
  }

  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (line.size() >= MAX_LINE) {
        throw new IOException("a line over " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    return b < 0 && line.size() == 0 ? null : line.toByteArray();
  }

  private static byte[] readBounded(InputStream in, int limit) throws IOException {
    try (in) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new IOException("an answer over " + limit + " bytes");
      }
      return bytes;
    }
  }

  private static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private static ErrorType errorType(IOException e) {
    return e instanceof HttpTimeoutException ? ErrorType.TIMEOUT : ErrorType.CONNECTION;
  }

  private static String message(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Writing to the client failed: the fan-out stops, as a forwarded stream would. */
  private static final class ClientGone extends IOException {
    private static final long serialVersionUID = 1L;

    ClientGone(IOException cause) {
      super(cause);
    }
  }
}
