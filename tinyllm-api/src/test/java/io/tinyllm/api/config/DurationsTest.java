package io.tinyllm.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pins the one duration grammar of settings, command-line options and graph files. */
class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    // what was valid before stays valid with the same meaning
    "0, PT0S",
    "30, PT30S",
    "250ms, PT0.25S",
    "30s, PT30S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "' 45s ', PT45S",
    "007s, PT7S",
    // fractions, in every unit and bare (as YAML numbers are)
    "1.5s, PT1.5S",
    "1.5, PT1.5S",
    "0.5ms, PT0.0005S",
    "0.25h, PT15M",
    "1.5d, PT36H",
    // compound, largest unit first
    "1h30m, PT1H30M",
    "2m30s, PT2M30S",
    "1s500ms, PT1.5S",
    "1d2h3m4s5ms, PT26H3M4.005S",
    // the largest Duration
    "9223372036854775807.999999999s, PT2562047788015215H30M7.999999999S",
  })
  void readsTheGrammar(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
    assertThat(Durations.parse(text, "setting 'k'")).isEqualTo(expected);
    assertThat(Settings.parseDuration("k", text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "soon",
        "5 minutes",
        "5 s",
        "30S",
        "1H",
        "1w",
        "1y",
        "ms",
        "s",
        ".5s",
        "1.s",
        "1e3s",
        "+5s",
        "1,5s",
        "１s",
        "30m1h",
        "1m1m",
        "1m30",
        "1h 30m",
        "PT1H",
        "1.5.0s",
        "0x10s"
      })
  void rejectsWhatIsNotTheGrammar(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "'"
                + text
                + "' is not a duration: expected one such as 500ms, 1.5s, 2m or 1h30m (units d, h,"
                + " m, s, ms, largest first; a bare number is seconds)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5s", "-1", "-1h30m", " -0.5s"})
  void rejectsNegativeDurationsSayingSo(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "'" + text + "' is not a duration (negative): expected one such as");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"9223372036854775808s", "106751991167301d", "99999999999999999999999999999h"})
  void rejectsWhatOverflowsADuration(String text) {
    // Duration.ofDays(106751991167301) threw ArithmeticException before, not a ConfigException
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "'" + text + "' is not a duration (longer than the longest Java Duration): expected");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0000000001s", "0.0000001ms"})
  void rejectsWhatIsFinerThanANanosecond(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .hasMessageStartingWith("'" + text + "' is not a duration (finer than a nanosecond)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.000000001s", "0.000001ms"})
  void acceptsOneNanosecond(String text) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1.5s", "0.5ms", "1h30m", "1d", "0.000000001s"})
  void formatWritesWhatParseReadsBack(String text) {
    Duration duration = Durations.parse(text);
    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }

  @Test
  void formatWritesSeconds() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("3600s");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorsNameWhatWasBeingRead() {
    assertThatThrownBy(() -> Durations.parse("soon", "--duration"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value 'soon' for --duration: expected a duration such as 500ms, 1.5s, 2m or"
                + " 1h30m (units d, h, m, s, ms, largest first; a bare number is seconds)");
    assertThatThrownBy(() -> Settings.parseDuration("cache.ttl", "-1s"))
        .hasMessageStartingWith(
            "Invalid value '-1s' for setting 'cache.ttl' (negative): expected a duration such as");
  }
}
