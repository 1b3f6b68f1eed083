package io.tinyllm.proxy;

import static io.tinyllm.proxy.FleetFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Gate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The optional admission queue: a limit per backend, the waiting served by priority. */
class AdmissionTest {
  private static final String QWEN = "qwen2.5:0.5b";

  @Test
  void waitingRequestsAreAdmittedHighestPriorityFirst() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> served = new ConcurrentLinkedQueue<>();
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  String body =
                      new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                  String name = body.replaceAll("(?s).*\"content\":\"([a-z]+)\".*", "$1");
                  served.add(name); // one at a time: the order the proxy admitted them
                  if (name.equals("first")) {
                    entered.countDown();
                    Canned.await(release);
                  }
                  byte[] answer = "{\"done\":true}".getBytes(StandardCharsets.UTF_8);
                  exchange.sendResponseHeaders(200, answer.length);
                  exchange.getResponseBody().write(answer);
                  exchange.close();
                });
        ProxyFixture f =
            ProxyFixture.upstream(
                upstream.uri(),
                Map.of(AdmissionConfig.ENABLED, "true", AdmissionConfig.MAX_PER_BACKEND, "1"))) {
      AdmissionGate gate = f.proxy.fleet().backends().get(0).admission();
      String backend = f.proxy.fleet().names().get(0);
      // every priority's series exist at zero before the first request
      assertThat(lines(f.scrape(), "tinyllm_proxy_admission_rejected_total{"))
          .containsExactly(
              "tinyllm_proxy_admission_rejected_total{backend=\""
                  + backend
                  + "\",priority=\"high\"} 0.0",
              "tinyllm_proxy_admission_rejected_total{backend=\""
                  + backend
                  + "\",priority=\"low\"} 0.0",
              "tinyllm_proxy_admission_rejected_total{backend=\""
                  + backend
                  + "\",priority=\"normal\"} 0.0");
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      answers.add(send(f.http, f.uri("/api/chat"), "first", "normal"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      answers.add(send(f.http, f.uri("/api/chat"), "low", "low"));
      assertThat(gate.awaitWaiting(1, Duration.ofSeconds(10))).as("the low one waiting").isTrue();
      answers.add(send(f.http, f.uri("/api/chat"), "normal", null));
      assertThat(gate.awaitWaiting(2, Duration.ofSeconds(10)))
          .as("the normal one waiting")
          .isTrue();
      answers.add(send(f.http, f.uri("/api/chat"), "high", "HIGH"));
      assertThat(gate.awaitWaiting(3, Duration.ofSeconds(10))).as("the high one waiting").isTrue();
      assertThat(lines(f.scrape(), "tinyllm_proxy_admission_waiting{"))
          .containsExactly(
              "tinyllm_proxy_admission_waiting{backend=\"" + backend + "\",priority=\"high\"} 1.0",
              "tinyllm_proxy_admission_waiting{backend=\"" + backend + "\",priority=\"low\"} 1.0",
              "tinyllm_proxy_admission_waiting{backend=\""
                  + backend
                  + "\",priority=\"normal\"} 1.0");
      release.countDown();

      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        assertThat(answer.get().statusCode()).isEqualTo(200);
      }
      assertThat(served).containsExactly("first", "high", "normal", "low");
      assertThat(lines(f.scrape(), "tinyllm_proxy_admission_waiting{"))
          .hasSize(3)
          .allMatch(line -> line.endsWith(" 0.0"));
      // the first was admitted at once: a wait of zero, counted like the others
      assertThat(lines(f.scrape(), "tinyllm_proxy_admission_wait_seconds_count{"))
          .containsExactly(
              "tinyllm_proxy_admission_wait_seconds_count{backend=\""
                  + backend
                  + "\",priority=\"high\"} 1",
              "tinyllm_proxy_admission_wait_seconds_count{backend=\""
                  + backend
                  + "\",priority=\"low\"} 1",
              "tinyllm_proxy_admission_wait_seconds_count{backend=\""
                  + backend
                  + "\",priority=\"normal\"} 2");
      assertThat(lines(f.scrape(), "tinyllm_proxy_admission_rejected_total{"))
          .hasSize(3)
          .allMatch(line -> line.endsWith(" 0.0"));
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRequestThatWaitsLongerThanTheMaximumGetsA503() throws Exception {
    try (FleetFixture f =
        new FleetFixture(
            List.of(FleetFixture.quick().build()),
            Map.of(
                AdmissionConfig.ENABLED, "true",
                AdmissionConfig.MAX_PER_BACKEND, "1",
                AdmissionConfig.MAX_WAIT, "50ms"))) {
      Gate held = f.sim('a').faults().holdBeforeFirstToken(1);
      CompletableFuture<HttpResponse<String>> first =
          send(f.http, f.uri("/api/chat"), "first", null);
      assertThat(held.awaitHeld(1, Duration.ofSeconds(10)))
          .as("the first request held by the backend")
          .isTrue();

      // not f.post, which waits for the proxy to be done with the held request
      HttpResponse<String> refused = send(f.http, f.uri("/api/chat"), "late", null).get();
      held.open();

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body())
          .isEqualTo(
              "{\"error\":\"no place on backend a within PT0.05S (proxy.admission.max-wait)\"}");
      assertThat(first.get().statusCode()).isEqualTo(200);
      assertThat(f.samples("tinyllm_errors_total"))
          .containsExactly(
              "tinyllm_errors_total{error_type=\"server_busy\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1.0");
      assertThat(f.samples("tinyllm_proxy_admission_rejected_total"))
          .containsExactly(
              "tinyllm_proxy_admission_rejected_total{backend=\"a\",priority=\"normal\"} 1.0");
      // the first admitted at once, the refused one after its wait (timed on the test's clock)
      assertThat(f.samples("tinyllm_proxy_admission_wait_seconds_count"))
          .containsExactly(
              "tinyllm_proxy_admission_wait_seconds_count{backend=\"a\",priority=\"normal\"} 2");
    }
  }

  private static CompletableFuture<HttpResponse<String>> send(
      HttpClient http, URI uri, String name, String priority) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .POST(HttpRequest.BodyPublishers.ofString(chat(QWEN, name, name)));
    if (priority != null) {
      request.header("X-TinyLLM-Priority", priority);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> lines(String scrape, String prefix) {
    return scrape.lines().filter(line -> line.startsWith(prefix)).sorted().toList();
  }
}
