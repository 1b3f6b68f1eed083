package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigTest {
  @TempDir Path home;

  private Path write(String text) throws Exception {
    Path file = home.resolve(".config/tinyllm/config.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void theFileIsFoundUnderTheHomeXdgOrTinyllmConfig() {
    assertThat(CliConfig.file(Map.of(), home))
        .isEqualTo(home.resolve(".config/tinyllm/config.yaml"));
    assertThat(CliConfig.file(Map.of("XDG_CONFIG_HOME", "/xdg"), home))
        .isEqualTo(Path.of("/xdg/tinyllm/config.yaml"));
    assertThat(
            CliConfig.file(
                Map.of("XDG_CONFIG_HOME", "/xdg", "TINYLLM_CONFIG", "/etc/t.yaml"), home))
        .isEqualTo(Path.of("/etc/t.yaml"));
  }

  @Test
  void environmentBeatsFileBeatsDefault() throws Exception {
    Path file = write("# defaults of mine\nmodel: qwen2.5:1.5b\ntimeout: 2m\nretries: 0\n");

    CliConfig config = CliConfig.load(Map.of("TINYLLM_TIMEOUT", "30s"), home);

    assertThat(config.fileFound()).isTrue();
    assertThat(config.get(CliConfig.Key.MODEL))
        .isEqualTo(new CliConfig.Value("qwen2.5:1.5b", "file " + file + ":2"));
    assertThat(config.get(CliConfig.Key.TIMEOUT))
        .isEqualTo(new CliConfig.Value("30s", "env TINYLLM_TIMEOUT"));
    assertThat(config.get(CliConfig.Key.CONNECT_TIMEOUT)).isNull();
    assertThat(config.metricsPort(9090)).isEqualTo(9090);
  }

  @Test
  void flagsAlreadySetWinOverTheConfiguration() throws Exception {
    write("timeout: 2m\nretries: 4\nollama: gpu-box:11434\n");
    CliConfig config = CliConfig.load(Map.of("TINYLLM_METRICS_PORT", "9464"), home);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ollama.timeout.request", "5s");

    config.addTo(settings);

    assertThat(settings)
        .containsEntry("ollama.timeout.request", "5s")
        .containsEntry("ollama.retry.max-attempts", "5")
        .containsEntry("ollama.host", "gpu-box:11434");
    assertThat(config.metricsPort(9090)).isEqualTo(9464);
  }

  @Test
  void noFileAndNoVariablesIsNothingConfigured() {
    CliConfig config = CliConfig.load(Map.of(), home);
    Map<String, String> settings = new HashMap<>();

    config.addTo(settings);

    assertThat(config.fileFound()).isFalse();
    assertThat(settings).isEmpty();
  }

  @Test
  void aMalformedFileIsOneLineNamingFileAndLine() throws Exception {
    Path file = write("model: qwen2.5:0.5b\nmodle: llama3.2:1b\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            file
                + ":2: unknown key 'modle': expected one of model, ollama, timeout,"
                + " connect-timeout, retries, metrics-port");

    write("timeout: soon\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessageStartingWith(file + ":1: 'timeout': 'soon' is not a duration");

    write("retries: 11\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessage(file + ":1: 'retries': '11' is not a whole number from 0 to 10");

    write("model: a\nmodel: b\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessage(file + ":2: 'model' is given twice");

    write("model: [a, b]\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessage(file + ":1: 'model' needs one value");

    write("timeout: [1\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessageStartingWith(file + ":2: not valid YAML: ");

    write("- model\n");
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessageStartingWith(file + ":1: expected lines of 'key: value'");

    write("x".repeat(CliConfig.MAX_BYTES + 1));
    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .hasMessage(file + ": larger than 65536 bytes, not a tinyllm config file");
  }

  @Test
  void aBadVariableOrAMissingNamedFileIsAUsageError() {
    assertThatThrownBy(() -> CliConfig.load(Map.of("TINYLLM_METRICS_PORT", "http"), home))
        .isInstanceOf(UsageException.class)
        .hasMessage("TINYLLM_METRICS_PORT: 'http' is not a whole number from 0 to 65535");
    assertThatThrownBy(() -> CliConfig.load(Map.of("TINYLLM_TIMEOUT", "0s"), home))
        .hasMessage("TINYLLM_TIMEOUT: '0s' must be longer than 0");
    Path missing = home.resolve("nope.yaml");
    assertThatThrownBy(() -> CliConfig.load(Map.of("TINYLLM_CONFIG", missing.toString()), home))
        .hasMessage("TINYLLM_CONFIG=" + missing + ": no such file");
  }

  @Test
  void theConfigCommandShowsEachValueAndItsSource() throws Exception {
    Path file = write("model: qwen2.5:1.5b\nmetrics-port: 9464\n");
    Cli cli = new Cli();
    ConfigCommand command = cli.command("config");
    command.env = Map.of("TINYLLM_RETRIES", "1");
    command.home = home;

    Cli.Result result = cli.execute("--ollama", "127.0.0.1:11500", "config");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("config file: " + file + "\n")
        .containsPattern("(?m)^model +qwen2\\.5:1\\.5b +file " + file + ":1$")
        .containsPattern("(?m)^ollama +127\\.0\\.0\\.1:11500 +flag --ollama$")
        .containsPattern("(?m)^timeout +5m +default$")
        .containsPattern("(?m)^retries +1 +env TINYLLM_RETRIES$")
        .containsPattern("(?m)^metrics-port +9464 +file " + file + ":2$");
  }

  @Test
  void theConfigCommandAsJsonAndWithoutAFile() throws Exception {
    Cli cli = new Cli();
    ConfigCommand command = cli.command("config");
    command.env = Map.of("OLLAMA_HOST", "gpu-box:11434");
    command.home = home;

    Cli.Result result = cli.execute("config", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    var json = CliJson.mapper().readTree(result.out());
    assertThat(json.get("file_found").asBoolean()).isFalse();
    assertThat(json.get("settings").get(1).get("key").asText()).isEqualTo("ollama");
    assertThat(json.get("settings").get(1).get("value").asText()).isEqualTo("gpu-box:11434");
    assertThat(json.get("settings").get(1).get("source").asText()).isEqualTo("env OLLAMA_HOST");
  }
}
