package io.tinyllm.proxy;

import static io.tinyllm.proxy.FleetFixture.chat;
import static io.tinyllm.proxy.FleetFixture.quick;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Without {@code proxy.upstreams}, the proxy drives the Java client's fleet, {@code ollama.hosts}:
 * one setting names the fleet for both. {@code proxy.upstreams} still wins when both are set.
 */
class FleetFromClientHostsTest {
  private static final String QWEN = "qwen2.5:0.5b";

  private OllamaSimulator withoutQwen;
  private OllamaSimulator withQwen;

  @BeforeEach
  void startSimulators() throws Exception {
    withoutQwen = OllamaSimulator.start(quick().withoutModel(QWEN).build());
    withQwen = OllamaSimulator.start(quick().build());
  }

  @AfterEach
  void stopSimulators() {
    withQwen.close();
    withoutQwen.close();
  }

  @Test
  void theClientsHostsAreTheFleetWhenNoUpstreamIsSet() throws Exception {
    String hosts = withoutQwen.baseUri() + "," + withQwen.baseUri();
    try (TinyLlm app = start(Map.of("ollama.hosts", hosts))) {
      ProxyServer proxy = app.get(ProxyServer.class);
      proxy.start();

      assertThat(proxy.fleet().names())
          .containsExactly(hostAndPort(withoutQwen), hostAndPort(withQwen));
      // routed over the fleet, not sent to the first host: only the second has the model
      HttpResponse<String> answer = post(proxy, "/api/chat", chat(QWEN, "be brief", "hi"));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(withQwen.stats().requestsForModel(QWEN)).isEqualTo(1);
      assertThat(withoutQwen.stats().requestsForModel(QWEN)).isZero();
      assertThat(app.metrics().scrapeText())
          .contains(
              "tinyllm_proxy_routing_decisions_total{backend=\""
                  + hostAndPort(withQwen)
                  + "\",reason=\"only\"} 1.0");
    }
  }

  @Test
  void proxyUpstreamsWinOverTheClientsHosts() throws Exception {
    Map<String, String> settings =
        Map.of(
            "ollama.hosts",
            withoutQwen.baseUri() + "," + withQwen.baseUri(),
            FleetConfig.UPSTREAMS,
            "only=" + withQwen.baseUri());
    try (TinyLlm app = start(settings)) {
      ProxyServer proxy = app.get(ProxyServer.class);
      proxy.start();

      assertThat(proxy.fleet().names()).containsExactly("only");
    }
  }

  private static TinyLlm start(Map<String, String> fleet) {
    Map<String, String> settings = new HashMap<>(fleet);
    settings.put(FleetConfig.HEALTH_INTERVAL, "1h");
    settings.put(ProxyConfig.PORT, "0");
    return TinyLlm.start(Settings.of(settings));
  }

  private static HttpResponse<String> post(ProxyServer proxy, String path, String json)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return http.send(
        HttpRequest.newBuilder(proxy.uri().resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String hostAndPort(OllamaSimulator sim) {
    return sim.baseUri().getHost() + ":" + sim.baseUri().getPort();
  }
}
