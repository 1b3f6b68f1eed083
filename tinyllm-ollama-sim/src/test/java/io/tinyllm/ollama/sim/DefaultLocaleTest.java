package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the simulator writes on the wire does not depend on the JVM's default locale: a German one
 * wrote {@code 494,03M}. Each test runs with the default locale switched (tests of this module run
 * one at a time in one JVM) and restored after.
 */
class DefaultLocaleTest {
  private Locale saved;

  @BeforeEach
  void save() {
    saved = Locale.getDefault();
  }

  @AfterEach
  void restore() {
    Locale.setDefault(saved);
  }

  private static void useDefault(String tag) {
    Locale locale = Locale.forLanguageTag(tag);
    Locale.setDefault(locale);
    // the test can only catch the bug where the locale really differs from ROOT
    assertThat(String.format("%.2f|%s", 1.5, "i".toUpperCase())).isNotEqualTo("1.50|I");
  }

  @ParameterizedTest
  @ValueSource(strings = {"de-DE", "tr-TR"})
  void wireFormatsIgnoreTheDefaultLocale(String tag) {
    useDefault(tag);

    assertThat(WireFormat.humanNumber(494_032_768L)).isEqualTo("494.03M");
    assertThat(WireFormat.humanNumber(1_543_714_304L)).isEqualTo("1.5B");
    assertThat(WireFormat.humanNumber(8_000_000_000L)).isEqualTo("8B");
    assertThat(WireFormat.humanNumber(137_500L)).isEqualTo("137.50K");
    assertThat(WireFormat.goQuote("a\u0001")).isEqualTo("\"a\\x01\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"de-DE", "tr-TR"})
  void theServerAnswersTheSameUnderEveryLocale(String tag) throws Exception {
    useDefault(tag);

    // a model built under the locale, its parameter_size derived from its parameter count
    SimulatedModel model = SimulatedModel.completion("plain:1b").parameterCount(1_234_567L).build();
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).model(model).build())) {
      SimClient client = new SimClient(sim.baseUri());
      JsonNode show = client.post("/api/show", "{\"model\":\"plain:1b\"}").json();

      assertThat(show.get("details").get("parameter_size").asText()).isEqualTo("1.23M");
      JsonNode tags = client.get("/api/tags").json().get("models");
      assertThat(tags.findValuesAsText("parameter_size")).contains("1.23M", "494.03M");
    }
  }
}
