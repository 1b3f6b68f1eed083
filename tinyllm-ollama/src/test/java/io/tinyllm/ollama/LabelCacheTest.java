package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.LabelGuard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelCacheTest {
  private final LabelGuard guard = new LabelGuard(1, 64);
  private final List<String> guarded = new ArrayList<>();
  private final List<String> created = new ArrayList<>();
  private final LabelCache<String> cache =
      new LabelCache<>(
          name -> {
            guarded.add(name);
            return guard.guard("model", name);
          },
          label -> {
            created.add(label);
            return "points of " + label;
          });

  @Test
  void anAdmittedNameReachesTheGuardOnceAndItsValueIsCreatedOnce() {
    assertThat(cache.get("a:1b")).isEqualTo("points of a:1b");
    assertThat(cache.get("a:1b")).isEqualTo("points of a:1b");

    assertThat(guarded).containsExactly("a:1b");
    assertThat(created).containsExactly("a:1b");
  }

  @Test
  void foldedNamesShareOneValueAndReachTheGuardEachTimeSoItCountsThem() {
    cache.get("a:1b");
    assertThat(cache.get("b:1b")).isEqualTo("points of other");
    assertThat(cache.get("b:1b")).isEqualTo("points of other");
    assertThat(cache.get("c:1b")).isEqualTo("points of other");

    assertThat(guarded).containsExactly("a:1b", "b:1b", "b:1b", "c:1b");
    assertThat(created).containsExactly("a:1b", "other");
    assertThat(guard.foldedCount("model")).isEqualTo(3);
  }

  @Test
  void aMissingNameIsUnknown() {
    assertThat(cache.get(null)).isEqualTo("points of unknown");
    assertThat(cache.get(null)).isEqualTo("points of unknown");

    assertThat(created).containsExactly("unknown");
    assertThat(guarded).hasSize(2);
  }
}
