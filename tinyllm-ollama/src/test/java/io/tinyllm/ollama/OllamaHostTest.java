package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OllamaHostTest {
  @ParameterizedTest
  @CsvSource({
    "'', http://127.0.0.1:11434",
    "localhost, http://localhost:11434",
    "gpu-box:8080, http://gpu-box:8080",
    "0.0.0.0, http://127.0.0.1:11434",
    "0.0.0.0:11500, http://127.0.0.1:11500",
    ":11500, http://127.0.0.1:11500",
    "http://box:9000, http://box:9000",
    "http://box, http://box:80",
    "https://ollama.example.com, https://ollama.example.com:443",
    "https://proxy/ollama/, https://proxy:443/ollama",
    "HTTP://Box:1, http://Box:1",
    "[::1]:11434, http://[::1]:11434",
    "::, http://[::1]:11434",
    "'  10.0.0.5  ', http://10.0.0.5:11434",
  })
  void readsOllamaHostForms(String value, String expected) {
    assertThat(OllamaHost.parse(value)).isEqualTo(URI.create(expected));
  }

  @Test
  void rejectsWhatIsNotAnAddress() {
    assertThatThrownBy(() -> OllamaHost.parse("box:port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("box:port");
    assertThatThrownBy(() -> OllamaHost.parse("ftp://box"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp");
  }
}
