package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.time.Ticker;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** A client of plain-HTTP servers skips the JDK's default TLS context; one of HTTPS keeps it. */
class PlainHttpOnlyTest {
  @Test
  void plainHttpServersGetTheEmptyContextAndHttpsTheJdksDefault() throws Exception {
    assertThat(transport("http://a:11434,http://b:11434").httpClient().sslContext())
        .isSameAs(PlainHttpOnly.CONTEXT);
    assertThat(transport("http://a:11434,https://b:443").httpClient().sslContext())
        .isSameAs(SSLContext.getDefault());
  }

  private static OllamaTransport transport(String hosts) {
    OllamaConfig config =
        OllamaConfig.from(Settings.of(Map.of(OllamaConfig.HOSTS, hosts)), Map.of());
    return new OllamaTransport(
        config, new HostRouter(config, Ticker.system(), new HostMetrics(false)));
  }
}
