package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelLabelTest {
  @Test
  void untaggedNamesGetOllamasDefaultTag() {
    assertThat(OllamaMetrics.withTag("nomic-embed-text")).isEqualTo("nomic-embed-text:latest");
    assertThat(OllamaMetrics.withTag("qwen2.5:0.5b")).isEqualTo("qwen2.5:0.5b");
    assertThat(OllamaMetrics.withTag("registry.local:5000/team/model"))
        .isEqualTo("registry.local:5000/team/model:latest");
    assertThat(OllamaMetrics.withTag("hf.co/org/model:Q4_K_M")).isEqualTo("hf.co/org/model:Q4_K_M");
  }
}
