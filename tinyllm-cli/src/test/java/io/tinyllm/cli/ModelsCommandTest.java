package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.RunningModel;
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
  void aMissingModelSaysHowToPullItWhenShown() {
    Cli.Result result = Cli.run("models", "show", "nope:1b", "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
  }

  @Test
  void removingOrStoppingAMissingModelGivesNoPullHint() {
    Cli.Result delete = Cli.run("models", "delete", "nope:1b", "--ollama", ollama);
    Cli.Result rm = Cli.run("rm", "nope:1b", "--ollama", ollama);
    Cli.Result stop = Cli.run("stop", "nope:1b", "--ollama", ollama);

    assertThat(delete.exitCode()).isEqualTo(1);
    assertThat(delete.err()).isEqualTo("tinyllm: model 'nope:1b' not found\n");
    assertThat(rm.err()).isEqualTo(delete.err());
    assertThat(stop.exitCode()).isEqualTo(1);
    assertThat(stop.err()).isEqualTo("tinyllm: cannot stop model 'nope:1b': it is not installed\n");
  }

  @Test
  void topLevelShortcutsDoWhatOllamasCommandsDo() throws Exception {
    Cli.Result list = Cli.run("list", "--ollama", ollama);
    Cli.Result ls = Cli.run("ls", "--ollama", ollama);
    Cli.Result quiet = Cli.run("list", "-q", "--ollama", ollama);
    Cli.Result show = Cli.run("show", "qwen2.5:0.5b", "--json", "--ollama", ollama);

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).isEqualTo(Cli.run("models", "list", "--ollama", ollama).out());
    assertThat(ls.out()).startsWith("NAME ");
    assertThat(quiet.out().lines().toList())
        .containsExactlyInAnyOrderElementsOf(sim.installedModels());
    assertThat(CliJson.mapper().readTree(show.out()).get("name").asText())
        .isEqualTo("qwen2.5:0.5b");
  }

  @Test
  void ollamaGivenBeforeTheCommandIsUsed() {
    Cli.Result result = Cli.run("--ollama", ollama, "list", "-q");
    Cli.Result nowhere = Cli.run("--ollama", Cli.NOWHERE, "models", "ps");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("qwen2.5:0.5b\n");
    assertThat(nowhere.exitCode()).isEqualTo(1);
    assertThat(nowhere.err()).startsWith("tinyllm: Cannot connect to Ollama at http://127.0.0.1:1");
  }

  @Test
  void stopUnloadsALoadedModel() throws Exception {
    try (OllamaClient client =
        OllamaClient.create(OllamaConfig.defaults().withHost(sim.baseUri()))) {
      client.generate(GenerateRequest.builder("qwen2.5:0.5b", "hi").build());
      assertThat(client.running()).extracting(RunningModel::name).contains("qwen2.5:0.5b");

      Cli.Result result = Cli.run("stop", "qwen2.5:0.5b", "--ollama", ollama);

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(client.running()).extracting(RunningModel::name).doesNotContain("qwen2.5:0.5b");
      assertThat(sim.installedModels()).contains("qwen2.5:0.5b");
    }
  }

  @Test
  void cpInstallsTheModelUnderANewName() {
    Cli.Result copied = Cli.run("cp", "qwen2.5:0.5b", "my-assistant", "--ollama", ollama);
    Cli.Result missing = Cli.run("cp", "nope:1b", "other", "--ollama", ollama);

    assertThat(copied.exitCode()).as(copied.err()).isZero();
    assertThat(copied.out()).isEqualTo("copied 'qwen2.5:0.5b' to 'my-assistant'\n");
    assertThat(sim.installedModels()).contains("qwen2.5:0.5b", "my-assistant:latest");
    assertThat(Cli.run("show", "my-assistant", "--ollama", ollama).out())
        .containsPattern("(?m)^ +name +my-assistant");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("tinyllm: model 'nope:1b' not found\n");
  }

  @Test
  void pullAndRmTakeSeveralNames() {
    Cli.Result pulled = Cli.run("pull", "llama3.2:1b", "qwen3:0.6b", "--ollama", ollama);

    assertThat(pulled.exitCode()).as(pulled.err()).isZero();
    assertThat(pulled.out()).isEqualTo("pulled llama3.2:1b\npulled qwen3:0.6b\n");
    assertThat(sim.installedModels()).contains("llama3.2:1b", "qwen3:0.6b");

    Cli.Result removed = Cli.run("rm", "llama3.2:1b", "qwen3:0.6b", "--ollama", ollama);

    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(removed.out()).isEqualTo("deleted llama3.2:1b\ndeleted qwen3:0.6b\n");
    assertThat(sim.installedModels()).doesNotContain("llama3.2:1b", "qwen3:0.6b");
  }

  @Test
  void anUnknownCommandIsNamedWithSuggestions() {
    Cli.Result top = Cli.run("lsit");
    Cli.Result nested = Cli.run("models", "lst");

    assertThat(top.exitCode()).isEqualTo(2);
    assertThat(top.err())
        .startsWith("tinyllm: unknown command 'lsit' for 'tinyllm'\nDid you mean: tinyllm ls")
        .endsWith("Run 'tinyllm --help' for usage.\n")
        .doesNotContain("Unmatched argument");
    assertThat(nested.exitCode()).isEqualTo(2);
    assertThat(nested.err())
        .startsWith("tinyllm: unknown command 'lst' for 'tinyllm models'\n")
        .contains("models ls");
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
