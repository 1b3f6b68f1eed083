package io.tinyllm.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private final Settings settings =
      Settings.of(
          Map.of(
              "port", "9400",
              "bad", "12x",
              "flag", "yes",
              "ttl", "5m",
              "list", "a, b,,c",
              "blank", "  ",
              "api.token", "hunter2"));

  @Test
  void typedGettersReadValuesAndFallBackToDefaults() {
    assertThat(settings.getInt("port", 1)).isEqualTo(9400);
    assertThat(settings.getInt("missing", 1)).isEqualTo(1);
    assertThat(settings.getInt("blank", 3)).isEqualTo(3);
    assertThat(settings.getBoolean("flag", false)).isTrue();
    assertThat(settings.getDuration("ttl", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.getList("list", List.of())).containsExactly("a", "b", "c");
    assertThat(settings.getString("missing", "d")).isEqualTo("d");
  }

  @Test
  void durationsAcceptEveryUnitAndBareSeconds() {
    assertThat(Settings.parseDuration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Settings.parseDuration("k", "30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Settings.parseDuration("k", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Settings.parseDuration("k", "1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void errorsNameTheKeyAndTheValue() {
    assertThatThrownBy(() -> settings.getInt("bad", 0))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '12x' for setting 'bad': expected an integer");
    assertThatThrownBy(() -> settings.getInt("port", 0, 1, 100))
        .hasMessage("Invalid value '9400' for setting 'port': expected an integer from 1 to 100");
    assertThatThrownBy(() -> settings.getBoolean("port", false))
        .hasMessage("Invalid value '9400' for setting 'port': expected true or false");
    assertThatThrownBy(() -> Settings.parseDuration("ttl", "5 minutes"))
        .hasMessage(
            "Invalid value '5 minutes' for setting 'ttl': expected a duration such as 500ms, 1.5s,"
                + " 2m or 1h30m (units d, h, m, s, ms, largest first; a bare number is seconds)");
  }

  @Test
  void toStringMasksSecrets() {
    assertThat(settings.toString()).contains("api.token=****").doesNotContain("hunter2");
  }

  @Test
  void withReturnsACopy() {
    Settings changed = settings.with("port", "1").with("flag", null);

    assertThat(changed.getInt("port", 0)).isEqualTo(1);
    assertThat(changed.get("flag")).isEmpty();
    assertThat(settings.getInt("port", 0)).isEqualTo(9400);
  }
}
