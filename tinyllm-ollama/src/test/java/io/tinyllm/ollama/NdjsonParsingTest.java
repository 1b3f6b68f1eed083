package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.LlmResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The internal entry point the benchmarks measure parses a stream as the client does. */
class NdjsonParsingTest {
  private static final String MODEL = "qwen3:0.6b";

  @Test
  void joinsTheChunksTextAndThinkingUpToTheFinalChunk() {
    LlmResponse response =
        NdjsonParsing.parseStream(
            List.of(
                "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"hm\"},"
                    + "\"done\":false}",
                "",
                "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}",
                "{\"message\":{\"role\":\"assistant\",\"content\":\" there\"},\"done\":false}",
                "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                    + "\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":4}",
                "{\"message\":{\"content\":\"after the end\"},\"done\":false}"),
            MODEL);

    assertThat(response.text()).isEqualTo("Hi there");
    assertThat(response.thinking()).isEqualTo("hm");
    assertThat(response.model()).isEqualTo(MODEL);
    assertThat(response.promptTokens()).isEqualTo(3);
    assertThat(response.outputTokens()).isEqualTo(4);
  }

  @Test
  void anErrorChunkAMalformedLineAndAMissingEndFail() {
    assertThatThrownBy(
            () ->
                NdjsonParsing.parseStream(
                    List.of("{\"response\":\"a\",\"done\":false}", "{\"error\":\"out of memory\"}"),
                    MODEL))
        .isInstanceOf(StreamException.class)
        .hasMessage(
            "Ollama reported an error in the stream from model 'qwen3:0.6b': out of memory");
    assertThatThrownBy(() -> NdjsonParsing.parseStream(List.of("{\"response\":"), MODEL))
        .isInstanceOf(MalformedResponseException.class);
    assertThatThrownBy(
            () -> NdjsonParsing.parseStream(List.of("{\"response\":\"a\",\"done\":false}"), MODEL))
        .isInstanceOf(StreamException.class)
        .hasMessage(
            "The stream from model 'qwen3:0.6b' ended before its final chunk (no \"done\": true)");
  }
}
