package io.tinyllm.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** Small HTTP helpers for tests: get a page, or poll it until it shows something. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  static String get(URI uri) throws IOException, InterruptedException {
    return CLIENT
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Polls {@code uri} until its body satisfies {@code condition}; bounded by {@code timeout}. */
  static String await(URI uri, Predicate<String> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        last = get(uri);
        if (condition.test(last)) {
          return last;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(25);
    }
    throw new AssertionError(
        uri + " did not show what was awaited within " + timeout + ":\n" + last);
  }
}
