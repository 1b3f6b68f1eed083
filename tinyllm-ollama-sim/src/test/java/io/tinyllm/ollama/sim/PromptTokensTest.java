package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code prompt_eval_count} counts the prompt as the model sees it, rendered with the ChatML
 * template of qwen2.5, and {@code prompt_eval_duration} pays only for what the prompt cache lacks.
 *
 * <p>"hi" to {@code qwen2.5:0.5b} without a system prompt renders as
 *
 * <pre>
 * &lt;|im_start|&gt;system
 * You are Qwen, created by Alibaba Cloud. You are a helpful assistant.&lt;|im_end|&gt;
 * &lt;|im_start|&gt;user
 * hi&lt;|im_end|&gt;
 * &lt;|im_start|&gt;assistant
 * </pre>
 *
 * Tokens: system turn = {@code <|im_start|>}, {@code system}, {@code \n} (3) + the sentence (15:
 * You, are, Qwen, ",", created, by, Alibaba, Cloud, ".", You, are, a, helpful, assistant, ".") +
 * {@code <|im_end|>}, {@code \n} (2) = 20; user turn = 3 + {@code hi} (1) + 2 = 6; generation
 * prompt {@code <|im_start|>}, {@code assistant}, {@code \n} = 3; in all 29. (Qwen's real BPE
 * splits "Qwen" in two, and Ollama reports 30.) With the system prompt "You are terse." (4 tokens)
 * the system turn is 3 + 4 + 2 = 9 and the total 18.
 */
class PromptTokensTest {
  private OllamaSimulator sim;
  private SimClient client;

  @BeforeEach
  void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0)
                .model(
                    SimulatedModel.completion("plain:1b")
                        .loadTime(Duration.ZERO)
                        .timeToFirstToken(Duration.ZERO)
                        .promptTokensPerSecond(1000)
                        .build())
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private int chatCount(String body) {
    return client.post("/api/chat", body).json().get("prompt_eval_count").asInt();
  }

  private int generateCount(String body) {
    return client.post("/api/generate", body).json().get("prompt_eval_count").asInt();
  }

  @Test
  void hiToQwenCountsTheRenderedTemplate() {
    String hi = "[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertThat(chatCount("{\"model\":\"qwen2.5:0.5b\",\"stream\":false,\"messages\":" + hi + "}"))
        .isEqualTo(29);
    String terse =
        "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"hi\"}]";
    assertThat(
            chatCount("{\"model\":\"qwen2.5:0.5b\",\"stream\":false,\"messages\":" + terse + "}"))
        .isEqualTo(18);

    // generate renders its prompt as one user turn, with the same system prompt rules
    assertThat(generateCount("{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"stream\":false}"))
        .isEqualTo(29);
    assertThat(
            generateCount(
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"system\":\"You are terse.\","
                    + "\"stream\":false}"))
        .isEqualTo(18);
    // raw mode sends the prompt as it is
    assertThat(
            generateCount(
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"raw\":true,\"stream\":false}"))
        .isEqualTo(1);
    // a model without a default system prompt: only the user turn and the generation prompt
    assertThat(generateCount("{\"model\":\"plain:1b\",\"prompt\":\"hi\",\"stream\":false}"))
        .isEqualTo(9);
  }

  @Test
  void qwenShowsItsSystemPrompt() {
    JsonNode show = client.post("/api/show", "{\"model\":\"qwen2.5:0.5b\"}").json();
    assertThat(show.get("system").asText())
        .isEqualTo("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
    assertThat(show.get("modelfile").asText())
        .contains("SYSTEM \"\"\"You are Qwen, created by Alibaba Cloud.");
  }

  @Test
  void promptEvalDurationGrowsWithThePromptAndShrinksWhenItsPrefixIsCached() throws Exception {
    sim.close();
    // time scale 1 with no other delay: prompt_eval_duration is exactly 1 ms per evaluated token
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .model(
                    SimulatedModel.completion("plain:1b")
                        .loadTime(Duration.ZERO)
                        .timeToFirstToken(Duration.ZERO)
                        .tokensPerSecond(100_000)
                        .promptTokensPerSecond(1000)
                        .build())
                .build());
    client = new SimClient(sim.baseUri());
    String shortPrompt = "{\"model\":\"plain:1b\",\"prompt\":\"hi\",\"stream\":false}";
    String longPrompt =
        "{\"model\":\"plain:1b\",\"prompt\":\"why is the sky blue on a clear day\","
            + "\"stream\":false}";

    JsonNode first = client.post("/api/generate", shortPrompt).json();
    assertThat(first.get("prompt_eval_count").asInt()).isEqualTo(9);
    assertThat(first.get("prompt_eval_duration").asLong()).isEqualTo(9_000_000L);

    // the same prompt again: all but the last token come from the cache
    JsonNode again = client.post("/api/generate", shortPrompt).json();
    assertThat(again.get("prompt_eval_count").asInt()).isEqualTo(9);
    assertThat(again.get("prompt_eval_duration").asLong()).isEqualTo(1_000_000L);

    // a longer prompt shares only "<|im_start|>user\n" (3 tokens) with what is cached
    JsonNode longer = client.post("/api/generate", longPrompt).json();
    assertThat(longer.get("prompt_eval_count").asInt()).isEqualTo(17);
    assertThat(longer.get("prompt_eval_duration").asLong()).isEqualTo((17 - 3) * 1_000_000L);

    // a reload empties the cache
    client.post(
        "/api/generate",
        "{\"model\":\"plain:1b\",\"prompt\":\"\",\"keep_alive\":0,\"stream\":false}");
    JsonNode cold = client.post("/api/generate", longPrompt).json();
    assertThat(cold.get("prompt_eval_duration").asLong()).isEqualTo(17 * 1_000_000L);
  }
}
