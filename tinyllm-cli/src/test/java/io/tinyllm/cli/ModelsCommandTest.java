package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelsCommandTest {
  private OllamaSimulator sim;
  private String ollama;

  @BeforeEach
  void startSimulator() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
    ollama = sim.baseUri().toString();
  }

  @AfterEach
  void stopSimulator() {
    sim.close();
  }

  @Test
  void listShowsTheInstalledModelsAsATable() {
    Cli.Result result = Cli.run("models", "list", "--ollama", ollama);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("NAME ")
        .containsPattern("(?m)^NAME +ID +SIZE +PARAMS +QUANT +MODIFIED$")
        .containsPattern(
            "(?m)^qwen2\\.5:0\\.5b +[0-9a-f]{12} +\\d+(\\.\\d)? [KMG]B +\\S+ +\\S+ +.+ ago$")
        .contains("nomic-embed-text:latest");
  }

  @Test
  void listAsJson() throws Exception {
    Cli.Result result = Cli.run("models", "list", "--ollama", ollama, "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode json = CliJson.mapper().readTree(result.out());
    assertThat(json.isArray()).isTrue();
    assertThat(json.findValuesAsText("name"))
        .containsExactlyInAnyOrderElementsOf(sim.installedModels());
    assertThat(json.get(0).get("size").asLong()).isPositive();
  }

  @Test
  void psShowsLoadedModels() throws Exception {
    try (OllamaClient client =
        OllamaClient.create(OllamaConfig.defaults().withHost(sim.baseUri()))) {
      client.generate(GenerateRequest.builder("qwen2.5:0.5b", "hi").build());
    }

    Cli.Result result = Cli.run("models", "ps", "--ollama", ollama);
    Cli.Result json = Cli.run("models", "ps", "--ollama", ollama, "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern("(?m)^NAME +SIZE +PROCESSOR +CONTEXT +UNTIL$")
        .containsPattern("(?m)^qwen2\\.5:0\\.5b +\\S+ [KMG]B +100% GPU +4096 +.+ from now$");
    assertThat(CliJson.mapper().readTree(json.out()).get(0).get("name").asText())
        .isEqualTo("qwen2.5:0.5b");
  }

  @Test
  void showPrintsDetailsAndCapabilities() throws Exception {
    Cli.Result result = Cli.run("models", "show", "qwen2.5:0.5b", "--ollama", ollama);
    Cli.Result json = Cli.run("models", "show", "qwen2.5:0.5b", "--ollama", ollama, "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern("(?m)^ +name +qwen2\\.5:0\\.5b$")
        .containsPattern("(?m)^ +context length +\\d+$")
        .contains("  Capabilities\n    completion\n    tools\n");
    JsonNode node = CliJson.mapper().readTree(json.out());
    assertThat(node.get("name").asText()).isEqualTo("qwen2.5:0.5b");
    assertThat(node.get("capabilities").toString()).contains("completion");
  }

  @Test
  void aMissingModelSaysHowToPullIt() {
    for (String command : new String[] {"show", "delete"}) {
      Cli.Result result = Cli.run("models", command, "nope:1b", "--ollama", ollama);

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .isEqualTo(
              "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
    }
  }

  @Test
  void pullShowsPlainProgressLinesThenDeleteRemovesTheModel() {
    Cli.Result pulled = Cli.run("models", "pull", "llama3.2:1b", "--ollama", ollama);

    assertThat(pulled.exitCode()).as(pulled.err()).isZero();
    assertThat(pulled.out()).isEqualTo("pulled llama3.2:1b\n");
    assertThat(pulled.err())
        .startsWith("pulling manifest\n")
        .containsPattern("(?m)^pulling [0-9a-f]{12}: +100% of \\S+ [KMG]?B$")
        .contains("verifying sha256 digest\n")
        .endsWith("success\n")
        .doesNotContain("\r");
    assertThat(sim.installedModels()).contains("llama3.2:1b");

    Cli.Result deleted = Cli.run("models", "delete", "llama3.2:1b", "--ollama", ollama);

    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).isEqualTo("deleted llama3.2:1b\n");
    assertThat(sim.installedModels()).doesNotContain("llama3.2:1b");
  }

  @Test
  void pullOfAModelTheRegistryLacksFails() {
    Cli.Result result = Cli.run("models", "pull", "nope:1b", "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("tinyllm: Model 'nope:1b' cannot be pulled");
  }

  @Test
  void anUnreachableOllamaIsOneLine() {
    Cli.Result result = Cli.run("models", "list", "--ollama", Cli.NOWHERE);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("tinyllm: Cannot connect to Ollama at ");
    assertThat(result.err().lines()).hasSize(1);
  }

  @Test
  void withoutASubcommandIsAUsageError() {
    Cli.Result result = Cli.run("models");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing subcommand");
  }
}
