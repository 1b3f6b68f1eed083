package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsTheGrammarOfSettings() {
    assertThat(converter.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(converter.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(converter.convert("30")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aBadValueIsNamedWithTheGrammar() {
    assertThatThrownBy(() -> converter.convert("-2s"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage(
            "'-2s' is not a duration (negative): expected one such as 500ms, 1.5s, 2m or 1h30m"
                + " (units d, h, m, s, ms, largest first; a bare number is seconds)");
  }

  @Test
  void aFractionalTtlReachesTheSettingsWhole() {
    CacheOptions options = new CacheOptions();
    options.ttl = converter.convert("0.5ms");
    Map<String, String> settings = new HashMap<>();

    options.addTo(settings);

    // as milliseconds it was "0ms", which means "never expires"
    assertThat(settings).containsEntry("cache.ttl", "0.0005s");
  }
}
