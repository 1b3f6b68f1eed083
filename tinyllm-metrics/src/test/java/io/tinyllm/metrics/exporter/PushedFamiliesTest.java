package io.tinyllm.metrics.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.ConfigException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushedFamiliesTest {
  private static final int MAX = PushedFamilies.MAX_ENTRIES + 1;

  @Test
  void namesMatchExactlyAndStarsMatchPrefixes() {
    PushedFamilies families =
        PushedFamilies.of(List.of("tinyllm_batch_*", "tinyllm_requests_total"));

    assertThat(families.includes("tinyllm_batch_duration_seconds")).isTrue();
    assertThat(families.includes("tinyllm_requests_total")).isTrue();
    assertThat(families.includes("tinyllm_requests_total_extra")).isFalse();
    assertThat(families.includes("tinyllm_system_info")).isFalse();
  }

  @Test
  void noEntriesPushesEverything() {
    assertThat(PushedFamilies.parse("k", " , ").includes("jvm_memory_used_bytes")).isTrue();
    assertThat(PushedFamilies.all().includes("anything")).isTrue();
  }

  @Test
  void aBadEntryIsNamedWithItsSetting() {
    assertThatThrownBy(() -> PushedFamilies.parse("metrics.pushgateway.families", "ok, bad-name"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid entry 'bad-name' in setting 'metrics.pushgateway.families': expected a"
                + " metric family name, or a prefix ending in '*'");
  }

  @Test
  void theListIsBounded() {
    String many = String.join(",", Collections.nCopies(MAX, "a"));
    assertThatThrownBy(() -> PushedFamilies.parse("k", many))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("more than 200");
  }
}
