package io.tinyllm.proxy;

import static io.tinyllm.proxy.FleetFixture.quick;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatedModel;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet answers as one Ollama: merged lists, and model management on every backend. */
class FleetViewsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QWEN = "qwen2.5:0.5b";
  private static final String LLAMA = "llama3.2:1b";

  @Test
  void tagsListEachModelOnceAndPsEveryLoadedInstance() throws Exception {
    SimulatedModel llama = SimulatedModel.pullableExtras().get(0);
    try (FleetFixture f =
        new FleetFixture(List.of(quick().build(), quick().model(llama).build()), Map.of())) {
      load(f.sim('a'), QWEN);
      load(f.sim('b'), QWEN);
      load(f.sim('b'), LLAMA);

      JsonNode tags = JSON.readTree(f.get("/api/tags").body());
      JsonNode ps = JSON.readTree(f.get("/api/ps").body());

      List<String> direct = new ArrayList<>();
      for (JsonNode model : JSON.readTree(get(f, f.sim('b'), "/api/tags")).path("models")) {
        direct.add(model.path("name").asText());
      }
      assertThat(names(tags, "name")).containsExactlyInAnyOrderElementsOf(direct).hasSize(5);
      List<String> instances = new ArrayList<>();
      ps.path("models")
          .forEach(m -> instances.add(m.path("name").asText() + "@" + m.path("backend").asText()));
      assertThat(instances).containsExactlyInAnyOrder(QWEN + "@a", QWEN + "@b", LLAMA + "@b");
      assertThat(f.allSamples("tinyllm_proxy_backend_requests_total"))
          .containsExactly(
              "tinyllm_proxy_backend_requests_total{backend=\"a\"} 2.0",
              "tinyllm_proxy_backend_requests_total{backend=\"b\"} 2.0");
    }
  }

  @Test
  void aPullGoesToEveryBackendOneAfterAnother() throws Exception {
    try (FleetFixture f = FleetFixture.of(2)) {
      List<String> lines =
          f.post("/api/pull", "{\"model\":\"" + LLAMA + "\"}").body().lines().toList();

      assertThat(lines.get(0)).isEqualTo("{\"status\":\"fleet: pull on backend a (1 of 2)\"}");
      assertThat(lines).contains("{\"status\":\"fleet: pull on backend b (2 of 2)\"}");
      assertThat(lines.stream().filter(l -> l.equals("{\"status\":\"success\"}"))).hasSize(2);
      assertThat(lines.get(lines.size() - 1)).isEqualTo("{\"status\":\"success\"}");
      assertThat(f.sim('a').installedModels()).contains(LLAMA);
      assertThat(f.sim('b').installedModels()).contains(LLAMA);

      HttpResponse<String> whole =
          f.post("/api/pull", "{\"model\":\"" + LLAMA + "\",\"stream\":false}");
      assertThat(whole.statusCode()).isEqualTo(200);
      assertThat(whole.body()).isEqualTo("{\"status\":\"success\"}");
    }
  }

  @Test
  void aPullThatFailsSomewhereSaysWhereAndEndsInAnError() throws Exception {
    try (FleetFixture f = FleetFixture.of(2)) {
      f.sim('b').faults().scope(Endpoint.PULL).failNext(1, 500, "no space left on device");

      List<String> lines =
          f.post("/api/pull", "{\"model\":\"" + LLAMA + "\"}").body().lines().toList();
      List<String> missing = f.post("/api/pull", "{\"model\":\"nope\"}").body().lines().toList();

      assertThat(lines)
          .contains(
              "{\"status\":\"fleet: pull failed on backend b (2 of 2): status 500: no space left"
                  + " on device\"}");
      assertThat(lines.get(lines.size() - 1))
          .isEqualTo(
              "{\"error\":\"pull failed on 1 of 2 backends: b: status 500: no space left on"
                  + " device\"}");
      assertThat(f.sim('a').installedModels()).contains(LLAMA);
      assertThat(f.sim('b').installedModels()).doesNotContain(LLAMA);
      // Ollama's own error within a stream becomes a status line; the stream ends in one error
      assertThat(missing)
          .containsExactly(
              "{\"status\":\"fleet: pull on backend a (1 of 2)\"}",
              "{\"status\":\"pulling manifest\"}",
              "{\"status\":\"fleet: pull failed on backend a (1 of 2): pull model manifest: file"
                  + " does not exist\"}",
              "{\"status\":\"fleet: pull on backend b (2 of 2)\"}",
              "{\"status\":\"pulling manifest\"}",
              "{\"status\":\"fleet: pull failed on backend b (2 of 2): pull model manifest: file"
                  + " does not exist\"}",
              "{\"error\":\"pull failed on 2 of 2 backends: a: pull model manifest: file does not"
                  + " exist; b: pull model manifest: file does not exist\"}");
    }
  }

  @Test
  void aDeleteGivesOneStatusForTheFleet() throws Exception {
    SimulatedModel llama = SimulatedModel.pullableExtras().get(0);
    try (FleetFixture f =
        new FleetFixture(List.of(quick().build(), quick().model(llama).build()), Map.of())) {
      HttpResponse<String> everywhere = delete(f, QWEN);
      HttpResponse<String> onOne = delete(f, LLAMA);
      HttpResponse<String> nowhere = delete(f, "missing:1b");

      assertThat(everywhere.statusCode()).isEqualTo(200);
      assertThat(f.sim('a').installedModels()).doesNotContain(QWEN);
      assertThat(f.sim('b').installedModels()).doesNotContain(QWEN);
      assertThat(onOne.statusCode()).isEqualTo(200); // gone from the fleet
      assertThat(f.sim('b').installedModels()).doesNotContain(LLAMA);
      assertThat(nowhere.statusCode()).isEqualTo(404);
      assertThat(nowhere.body()).isEqualTo("{\"error\":\"model 'missing:1b' not found\"}");

      f.sim('b').faults().scope(Endpoint.TAGS).failNext(3, 500);
      f.fleet.probe();
      f.fleet.probe();
      f.fleet.probe();
      HttpResponse<String> partly = delete(f, "qwen2.5:1.5b");
      assertThat(partly.statusCode()).isEqualTo(502);
      assertThat(partly.body())
          .isEqualTo(
              "{\"error\":\"delete failed on 1 of 2 backends: b: out of the fleet (failing health"
                  + " checks)\"}");
      assertThat(f.sim('a').installedModels()).doesNotContain("qwen2.5:1.5b");
      assertThat(f.sim('b').installedModels()).contains("qwen2.5:1.5b");
    }
  }

  @Test
  void aCopyThatFailsOnOneBackendNamesIt() {
    try (CannedUpstream a = new CannedUpstream(FleetViewsTest::copyOk);
        CannedUpstream b = new CannedUpstream(FleetViewsTest::copyFails);
        ProxyFixture f =
            ProxyFixture.upstream(
                a.uri(),
                Map.of(
                    FleetConfig.UPSTREAMS,
                    "a=" + a.uri() + ",b=" + b.uri(),
                    FleetConfig.HEALTH_INTERVAL,
                    "1h"))) {
      HttpResponse<byte[]> copy =
          f.post(f.uri("/api/copy"), "{\"source\":\"qwen2.5:0.5b\",\"destination\":\"mine\"}");

      assertThat(copy.statusCode()).isEqualTo(502);
      assertThat(new String(copy.body(), StandardCharsets.UTF_8))
          .isEqualTo("{\"error\":\"copy failed on 1 of 2 backends: b: status 500: disk full\"}");
    }
  }

  @Test
  void aBackendThatStallsItsAnswerFailsItsHealthCheckAndLeavesTheLists() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (CannedUpstream a = new CannedUpstream(FleetViewsTest::copyOk);
        CannedUpstream b =
            new CannedUpstream(
                exchange -> {
                  // headers, then silence: only the health check's timeout ends the wait
                  exchange.sendResponseHeaders(200, 100);
                  exchange.getResponseBody().flush();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  exchange.close();
                });
        ProxyFixture f =
            ProxyFixture.upstream(
                a.uri(),
                Map.of(
                    FleetConfig.UPSTREAMS, "a=" + a.uri() + ",b=" + b.uri(),
                    FleetConfig.HEALTH_INTERVAL, "1h",
                    FleetConfig.HEALTH_TIMEOUT, "200ms",
                    FleetConfig.EJECT_AFTER, "1"))) {
      assertThat(f.proxy.fleet().healthy("a")).isTrue();
      assertThat(f.proxy.fleet().healthy("b")).isFalse();

      HttpResponse<byte[]> tags = f.send(HttpRequest.newBuilder(f.uri("/api/tags")).build());

      assertThat(tags.statusCode()).isEqualTo(200);
      assertThat(new String(tags.body(), StandardCharsets.UTF_8)).isEqualTo("{\"models\":[]}");
    } finally {
      release.countDown();
    }
  }

  private static void copyOk(com.sun.net.httpserver.HttpExchange exchange)
      throws java.io.IOException {
    answer(
        exchange,
        200,
        "/api/copy".equals(exchange.getRequestURI().getPath()) ? "" : "{\"models\":[]}");
  }

  private static void copyFails(com.sun.net.httpserver.HttpExchange exchange)
      throws java.io.IOException {
    boolean copy = "/api/copy".equals(exchange.getRequestURI().getPath());
    answer(exchange, copy ? 500 : 200, copy ? "{\"error\":\"disk full\"}" : "{\"models\":[]}");
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws java.io.IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static HttpResponse<String> delete(FleetFixture f, String model) {
    return f.send(
        HttpRequest.newBuilder(f.uri("/api/delete"))
            .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\"}"))
            .build());
  }

  private static List<String> names(JsonNode list, String field) {
    List<String> names = new ArrayList<>();
    list.path("models").forEach(model -> names.add(model.path(field).asText()));
    return names;
  }

  private static void load(OllamaSimulator sim, String model) {
    // a generate without a prompt loads the model, as in Ollama
    HttpResponse<String> load = send(sim, "/api/generate", "{\"model\":\"" + model + "\"}");
    assertThat(load.statusCode()).isEqualTo(200);
  }

  private static String get(FleetFixture f, OllamaSimulator sim, String path) {
    return f.send(HttpRequest.newBuilder(sim.baseUri().resolve(path)).build()).body();
  }

  private static HttpResponse<String> send(OllamaSimulator sim, String path, String json) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(sim.baseUri().resolve(path))
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
