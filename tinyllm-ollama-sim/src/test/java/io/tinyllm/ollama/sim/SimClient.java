package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain {@link HttpClient} speaking to a simulator, as any Ollama client would. */
final class SimClient {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final URI base;

  SimClient(URI base) {
    this.base = requireNonNull(base, "base is null");
  }

  /** A whole answer. */
  record Reply(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    List<JsonNode> lines() {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : body.split("\n")) {
        if (!line.isEmpty()) {
          try {
            nodes.add(MAPPER.readTree(line));
          } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + line, e);
          }
        }
      }
      return nodes;
    }

    String error() {
      return json().path("error").asText();
    }
  }

  /** What was read of a streamed answer before it ended or failed. */
  record Streamed(int status, List<String> lines, IOException failure, long firstLineNanos) {}

  Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Reply head(String path) {
    return send(
        HttpRequest.newBuilder(uri(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
  }

  Reply post(String path, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply delete(String path, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .method("DELETE", HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(""),
          response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Posts and sends back the raw response, for reading a stream line by line. */
  HttpResponse<InputStream> open(String path, String json, Duration timeout)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Posts and reads the streamed answer line by line until its end or a failure. */
  Streamed stream(String path, String json) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<InputStream> response = open(path, json, Duration.ofSeconds(20));
    List<String> lines = new ArrayList<>();
    long first = -1;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (first < 0) {
          first = System.nanoTime() - start;
        }
        lines.add(line);
      }
    } catch (IOException e) {
      return new Streamed(response.statusCode(), lines, e, first);
    }
    return new Streamed(response.statusCode(), lines, null, first);
  }

  static JsonNode parse(String line) {
    try {
      return MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + line, e);
    }
  }

  private URI uri(String path) {
    return base.resolve(path);
  }
}
