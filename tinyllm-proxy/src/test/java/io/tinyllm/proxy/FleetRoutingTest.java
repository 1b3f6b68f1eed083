package io.tinyllm.proxy;

import static io.tinyllm.proxy.FleetFixture.chat;
import static io.tinyllm.proxy.FleetFixture.quick;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Routing over a fleet of simulators: to a backend that has the model, preferring one that has it
 * loaded, a conversation kept on its backend, health checks that eject and readmit, with exact
 * per-backend metrics. Health checks run when the test calls {@code probe()}.
 */
class FleetRoutingTest {
  private static final String QWEN = "qwen2.5:0.5b";

  @Test
  void aRequestGoesToABackendThatHasItsModel() {
    try (FleetFixture f =
        new FleetFixture(
            List.of(
                quick().withoutModel("nomic-embed-text").build(),
                quick().withoutModel(QWEN).build()),
            Map.of())) {
      assertThat(f.post("/api/chat", chat(QWEN, "be brief", "hi")).statusCode()).isEqualTo(200);
      assertThat(
              f.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"x\"}").statusCode())
          .isEqualTo(200);
      assertThat(f.get("/api/version").statusCode()).isEqualTo(200);
      f.fleet.probe();

      assertThat(f.sim('a').stats().requestsForModel(QWEN)).isEqualTo(1);
      assertThat(f.sim('b').stats().requestsForModel(QWEN)).isZero();
      assertThat(f.sim('b').stats().requestsForModel("nomic-embed-text")).isEqualTo(1);
      assertThat(f.sim('a').stats().requests(Endpoint.VERSION)).isEqualTo(1);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"least_busy\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"only\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"only\"} 1.0");
      assertThat(f.allSamples("tinyllm_proxy_backend_requests_total"))
          .containsExactly(
              "tinyllm_proxy_backend_requests_total{backend=\"a\"} 2.0",
              "tinyllm_proxy_backend_requests_total{backend=\"b\"} 1.0");
      assertThat(f.allSamples("tinyllm_proxy_backend_in_flight"))
          .containsExactly(
              "tinyllm_proxy_backend_in_flight{backend=\"a\"} 0.0",
              "tinyllm_proxy_backend_in_flight{backend=\"b\"} 0.0");
      assertThat(f.allSamples("tinyllm_proxy_backend_up"))
          .containsExactly(
              "tinyllm_proxy_backend_up{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_up{backend=\"b\"} 1.0");
      assertThat(f.allSamples("tinyllm_proxy_backend_models_loaded"))
          .containsExactly(
              "tinyllm_proxy_backend_models_loaded{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_models_loaded{backend=\"b\"} 1.0");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total")).isEmpty();
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total")).isEmpty();
      // the seed families keep their labels: no backend there
      assertThat(f.samples("tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"default\",model=\"nomic-embed-text:latest\","
                  + "request_type=\"embed\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat\"} 1.0");
    }
  }

  @Test
  void aBackendThatHasTheModelLoadedIsPreferred() {
    try (FleetFixture f = FleetFixture.of(2)) {
      OllamaSimulator b = f.sim('b');
      HttpResponse<String> load =
          f.send(
              HttpRequest.newBuilder(b.baseUri().resolve("/api/generate"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + QWEN + "\"}"))
                  .build());
      assertThat(load.statusCode()).isEqualTo(200);
      assertThat(b.isLoaded(QWEN)).isTrue();
      f.fleet.probe();

      for (String question : List.of("one", "two", "three")) {
        assertThat(f.post("/api/chat", chat(QWEN, question, question)).statusCode()).isEqualTo(200);
      }

      assertThat(f.sim('a').stats().requestsForModel(QWEN)).isZero();
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(3);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"loaded\"} 3.0");
    }
  }

  @Test
  void aConversationStaysOnItsBackendUntilItsEntryExpires() {
    try (FleetFixture f = FleetFixture.of(2)) {
      // nothing loaded anywhere: new conversations go round the fleet
      assertThat(f.post("/api/chat", chat(QWEN, "x", "first")).statusCode()).isEqualTo(200);
      assertThat(f.post("/api/chat", chat(QWEN, "y", "first")).statusCode()).isEqualTo(200);
      assertThat(f.post("/api/chat", chat(QWEN, "x", "first", "second")).statusCode())
          .isEqualTo(200);
      assertThat(f.post("/api/chat", chat(QWEN, "y", "first", "second", "third")).statusCode())
          .isEqualTo(200);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(2);
      assertThat(f.sim('b').stats().requests(Endpoint.CHAT)).isEqualTo(2);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"affinity\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"least_busy\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"affinity\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"least_busy\"} 1.0");

      // conversation y idle past proxy.affinity.ttl (30m): it is routed afresh, to a
      f.advance(Duration.ofMinutes(31));
      assertThat(f.post("/api/chat", chat(QWEN, "y", "first", "fourth")).statusCode())
          .isEqualTo(200);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(3);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .contains(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"least_busy\"} 2.0");
    }
  }

  @Test
  void healthChecksEjectABackendAndReadmitIt() {
    try (FleetFixture f = FleetFixture.of(2)) {
      OllamaSimulator b = f.sim('b');
      assertThat(f.get("/api/version").statusCode()).isEqualTo(200); // to a: b is next
      assertThat(f.post("/api/chat", chat(QWEN, "z", "one")).statusCode()).isEqualTo(200);
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(1);

      b.faults().scope(Endpoint.TAGS).failNext(3, 500);
      f.fleet.probe();
      f.fleet.probe();
      assertThat(f.fleet.healthy("b")).isTrue(); // two failures: still in (eject-after 3)
      assertThat(f.post("/api/chat", chat(QWEN, "z", "one", "two")).statusCode()).isEqualTo(200);
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(2);

      f.fleet.probe();
      assertThat(f.fleet.healthy("b")).isFalse();
      assertThat(f.allSamples("tinyllm_proxy_backend_up"))
          .containsExactly(
              "tinyllm_proxy_backend_up{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_up{backend=\"b\"} 0.0");
      // the conversation moves to the backend left, and stays there
      assertThat(f.post("/api/chat", chat(QWEN, "z", "one", "three")).statusCode()).isEqualTo(200);
      assertThat(f.get("/api/version").statusCode()).isEqualTo(200);
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(2);
      assertThat(b.stats().requests(Endpoint.VERSION)).isZero();

      f.fleet.probe();
      assertThat(f.fleet.healthy("b")).isFalse(); // one good probe: still out (readmit-after 2)
      f.fleet.probe();
      assertThat(f.fleet.healthy("b")).isTrue();
      assertThat(f.allSamples("tinyllm_proxy_backend_up"))
          .containsExactly(
              "tinyllm_proxy_backend_up{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_up{backend=\"b\"} 1.0");
      assertThat(f.post("/api/chat", chat(QWEN, "z", "one", "four")).statusCode()).isEqualTo(200);
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(2);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"affinity\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"least_busy\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"only\"} 2.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"affinity\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"least_busy\"} 1.0");
    }
  }
}
