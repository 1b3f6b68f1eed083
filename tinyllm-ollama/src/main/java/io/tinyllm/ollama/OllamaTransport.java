package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** HTTP to one Ollama server: builds requests, enforces timeouts, maps failures. */
final class OllamaTransport {
  private final HttpClient http;
  private final URI host;
  private final String base;
  private final Duration requestTimeout;
  private final int maxResponseBytes;
  private final OllamaErrors errors;

  OllamaTransport(OllamaConfig config) {
    requireNonNull(config, "config is null");
    this.host = config.host();
    String text = host.toString();
    this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    this.requestTimeout = config.requestTimeout();
    this.maxResponseBytes = config.maxResponseBytes();
    this.errors = new OllamaErrors(host, config.connectTimeout(), config.requestTimeout());
    // Ollama speaks HTTP/1.1; asking for h2c would only add an upgrade round trip
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  URI host() {
    return host;
  }

  OllamaErrors errors() {
    return errors;
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  int maxResponseBytes() {
    return maxResponseBytes;
  }

  HttpRequest post(String path, String json) {
    return json(path).POST(BodyPublishers.ofString(json)).build();
  }

  HttpRequest delete(String path, String json) {
    return json(path).method("DELETE", BodyPublishers.ofString(json)).build();
  }

  HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(requestTimeout)
        .header("Accept", "application/json")
        .GET()
        .build();
  }

  private HttpRequest.Builder json(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, application/x-ndjson");
  }

  /**
   * Sends {@code request} and returns the body of a 200 answer within the request timeout (which
   * covers the whole exchange, body included); a body beyond {@code ollama.max-response-bytes}
   * fails with {@code ResponseTooLargeException}.
   *
   * @param model the model the call is about, for messages; may be {@code null}
   */
  String send(HttpRequest request, String model) {
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(
            request,
            BoundedBody.handler(
                maxResponseBytes,
                request.method()
                    + " "
                    + request.uri()
                    + (model == null ? "" : " for model '" + model + "'")));
    HttpResponse<String> response;
    try {
      response = future.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new LlmTimeoutException(
          "Ollama at "
              + host
              + " did not answer "
              + request.method()
              + " "
              + request.uri().getPath()
              + (model == null ? "" : " for model '" + model + "'")
              + " within "
              + requestTimeout.toMillis()
              + " ms ("
              + OllamaConfig.REQUEST_TIMEOUT
              + ")",
          e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancelledException("Interrupted while waiting for Ollama", e);
    } catch (ExecutionException e) {
      throw errors.forTransport(e, model);
    }
    if (response.statusCode() != 200) {
      throw errors.forStatus(response.statusCode(), response.body(), model);
    }
    return response.body();
  }

  /** Starts {@code request}, feeding its status and body lines to {@code channel}. */
  void stream(HttpRequest request, LineChannel channel) {
    http.sendAsync(request, channel.handler())
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                channel.fail(failure);
              }
            });
  }
}
