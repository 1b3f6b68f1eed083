package io.tinyllm.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain GETs of a container's text endpoints ({@code /metrics}) and POSTs of JSON to its API,
 * failing on anything but 200.
 */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  public static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET " + url + ": HTTP " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** POSTs {@code json} and returns the whole answer (NDJSON or SSE too: every line of it). */
  public static String post(String url, String json) throws IOException, InterruptedException {
    HttpResponse<String> response = postAnyStatus(url, json);
    if (response.statusCode() != 200) {
      throw new IOException(
          "POST " + url + ": HTTP " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** POSTs {@code json} and returns the answer whatever its status. */
  public static HttpResponse<String> postAnyStatus(String url, String json)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
