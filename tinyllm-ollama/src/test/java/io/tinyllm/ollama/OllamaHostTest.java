package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.net.URI;
import java.util.Map;
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

  @Test
  void aSchemeWithoutAHostIsNotQuietlyPortEightyOfThisMachine() {
    assertThatThrownBy(() -> OllamaHost.parse("http://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No host in Ollama address 'http://'");
    assertThatThrownBy(() -> OllamaHost.parse("https:///ollama"))
        .hasMessage("No host in Ollama address 'https:///ollama'");
  }

  @Test
  void credentialsAreRefusedAndNeverRepeated() {
    assertThatThrownBy(() -> OllamaHost.parse("http://bob:s3cret@box:11434"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Credentials in Ollama address 'http://***@box:11434' are not supported");
    assertThatThrownBy(() -> OllamaHost.parse("bob:s3cret@box")).hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> OllamaHost.parse("ftp://bob:s3cret@box"))
        .hasMessageNotContaining("s3cret");
    assertThat(OllamaHost.redacted("https://a:p@ss@box/x@y")).isEqualTo("https://***@box/x@y");
  }

  @Test
  void anInvalidOllamaHostVariableIsNamedWithoutItsPassword() {
    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of()),
                    Map.of(OllamaConfig.OLLAMA_HOST_ENV, "http://bob:s3cret@box:11434")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "Invalid value 'http://***@box:11434' for environment variable OLLAMA_HOST")
        .hasMessageNotContaining("s3cret");
  }
}
