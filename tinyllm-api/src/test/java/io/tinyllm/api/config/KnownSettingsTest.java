package io.tinyllm.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnownSettingsTest {
  @Test
  void readByListsEveryKeyTheReaderAsksFor() {
    KnownSettings known =
        KnownSettings.readBy(
            List.of("x."),
            s -> {
              s.getDuration("x.timeout", Duration.ZERO);
              s.getInt("x.size", 1, 1, 2);
              s.getBoolean("x.enabled", true);
              s.getList("x.names", List.of());
              s.get("x.password");
              s.getString("y.shared", "");
            });

    assertThat(known.keys())
        .containsExactly("x.enabled", "x.names", "x.password", "x.size", "x.timeout", "y.shared");
    assertThat(known.prefixes()).containsExactly("x.");
  }

  @Test
  void recordingDoesNotLeakIntoOtherSettings() {
    KnownSettings.readBy(List.of("x."), s -> s.get("x.a"));
    Settings plain = Settings.of(Map.of("x.a", "1"));

    assertThat(plain.get("x.a")).contains("1");
    assertThat(KnownSettings.readBy(List.of("x."), s -> {}).keys()).isEmpty();
  }

  @Test
  void ownershipIgnoresCaseAndNeedsTheDot() {
    KnownSettings known = KnownSettings.of(List.of("ollama."), List.of("ollama.host"));

    assertThat(known.owns("ollama.hots")).isTrue();
    assertThat(known.owns("OLLAMA.HOST")).isTrue();
    assertThat(known.owns("ollama")).isFalse();
    assertThat(known.owns("ollamas.host")).isFalse();
    assertThatThrownBy(() -> KnownSettings.of(List.of("ollama"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ollama'");
  }

  @Test
  void theClosestKeyIsSuggestedOnlyWhenItIsClose() {
    List<String> keys =
        List.of(
            "ollama.timeout.connect",
            "ollama.timeout.request",
            "ollama.timeout.stream-idle",
            "ollama.host",
            "cache.ttl");

    assertThat(KnownSettings.closest("ollama.timeout.requst", keys))
        .contains("ollama.timeout.request");
    assertThat(KnownSettings.closest("ollama.timeout.reqeust", keys))
        .contains("ollama.timeout.request");
    assertThat(KnownSettings.closest("Ollama.Host", keys)).contains("ollama.host");
    assertThat(KnownSettings.closest("cache.tll", keys)).contains("cache.ttl");
    assertThat(KnownSettings.closest("ollama.timeout", keys)).isEmpty();
    assertThat(KnownSettings.closest("ollama.frobnicate", keys)).isEmpty();
  }

  @Test
  void editDistanceCountsATranspositionAsOneEdit() {
    assertThat(EditDistance.between("port", "port")).isZero();
    assertThat(EditDistance.between("prot", "port")).isEqualTo(1);
    assertThat(EditDistance.between("requst", "request")).isEqualTo(1);
    assertThat(EditDistance.between("kitten", "sitting")).isEqualTo(3);
    assertThat(EditDistance.between("", "abc")).isEqualTo(3);
    assertThat(EditDistance.between("ca", "abc")).isEqualTo(3);
  }
}
