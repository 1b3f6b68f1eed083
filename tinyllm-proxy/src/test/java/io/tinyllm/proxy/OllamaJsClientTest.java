package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.ExternalPrograms;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ollama's official JavaScript client gets through the proxy exactly what it gets from the server
 * directly: lists, whole and streamed answers, embeddings, a missing model's error, an abort
 * mid-stream. Needs {@code node} and {@code npm} (Debian's {@code nodejs} and {@code npm}; {@code
 * .ci/run} installs them) and installs the pinned client from the npm registry into {@code target}.
 */
class OllamaJsClientTest {
  /** The client version this was checked with. */
  private static final String OLLAMA_JS = "ollama@0.6.4";

  @Test
  void theOfficialJavaScriptClientSeesNoDifference() throws Exception {
    Path node = ExternalPrograms.require("node", "nodejs");
    Path npm = ExternalPrograms.require("npm", "npm");
    Path dir = Path.of("target", "ollama-js").toAbsolutePath();
    Files.createDirectories(dir);
    try (InputStream script = getClass().getResourceAsStream("/ollama-js/check.mjs")) {
      Files.copy(script, dir.resolve("check.mjs"), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(dir.resolve("node_modules/ollama"))) {
      Files.writeString(dir.resolve("package.json"), "{\"private\":true}\n");
      run(dir, List.of(npm.toString(), "install", "--no-audit", "--no-fund", OLLAMA_JS), 180);
    }

    try (ProxyFixture f = ProxyFixture.simulator()) {
      f.sim.putCannedAnswer(
          "What is the weather in Tokyo?",
          "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]");
      String output =
          run(
              dir,
              List.of(
                  node.toString(),
                  "check.mjs",
                  f.sim.baseUri().toString(),
                  f.proxy.uri().toString()),
              60);

      assertThat(output.lines().toList())
          .containsExactly(
              "SAME list",
              "SAME generate",
              "SAME generate stream",
              "SAME chat stream",
              "SAME embed",
              "SAME show",
              "SAME missing model",
              "SAME tools",
              "SAME copy",
              "SAME create",
              "SAME show created",
              "SAME six at once",
              "VALUE tools [[\"get_weather\",{\"city\":\"Tokyo\"}]]",
              "VALUE six at once [true,true,true,true,true,true]",
              "SAME abort mid-stream");
      assertThat(f.sim.installedModels()).contains("qwen-copy:latest", "terse:latest");
      // whether the abort beat the end of the answer is a race, so outcomes are not compared
      assertThat(f.samples("tinyllm_requests_total").lines())
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"default\",model=\"nomic-embed-text:latest\","
                  + "request_type=\"embed\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"nope:latest\","
                  + "request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat_stream\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"generate\"} 7.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"generate_stream\"} 2.0");
    }
  }

  private static String run(Path dir, List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = dir.resolve("output.txt");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s:\n%s", command, text).isZero();
    return text;
  }
}
