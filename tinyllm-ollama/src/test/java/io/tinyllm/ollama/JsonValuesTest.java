package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.api.error.MalformedResponseException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Small answers read without databind come out as databind would have given them. */
class JsonValuesTest {
  private static final String SHOW =
      "{\"model_info\":{\"general.architecture\":\"qwen2\",\"qwen2.block_count\":24,"
          + "\"general.parameter_count\":494032768,\"big\":123456789012345678901234567890,"
          + "\"qwen2.rope.freq_base\":1000000.5,\"tokenizer.ggml.tokens\":[\"a\",\"b\"],"
          + "\"flag\":true,\"nested\":{\"x\":null}},\"capabilities\":[\"completion\",7],"
          + "\"size\":\"42\",\"error\":{\"message\":\"m\"}}";

  @Test
  void valuesAreTheTypesDatabindGives() throws Exception {
    Map<String, Object> ours = JsonValues.object(SHOW, "response");
    @SuppressWarnings("unchecked")
    Map<String, Object> databind = new ObjectMapper().readValue(SHOW, Map.class);

    assertThat(ours).isEqualTo(databind);
    assertThat(JsonValues.object(ours, "model_info").get("big")).isInstanceOf(BigInteger.class);
    assertThat(JsonValues.object(ours, "model_info").get("qwen2.block_count"))
        .isInstanceOf(Integer.class);
  }

  @Test
  void textNumbersAndErrorsAsTheTreeReadThem() {
    Map<String, Object> answer = JsonValues.object(SHOW, "response");

    assertThat(JsonValues.text(answer, "model_info", "x")).as("asText of an object").isEmpty();
    assertThat(JsonValues.text(answer, "missing", "x")).isEqualTo("x");
    assertThat(JsonValues.number(answer, "size", 0)).as("asLong parses text").isEqualTo(42);
    assertThat(JsonValues.list(answer, "capabilities")).isEqualTo(List.of("completion", 7));
    assertThat(OllamaJson.error(answer)).isEqualTo("{\"message\":\"m\"}");
    assertThat(JsonValues.body("model", "m", "stream", null)).isEqualTo("{\"model\":\"m\"}");
    assertThat(JsonValues.body("model", "q\"x", "stream", true))
        .isEqualTo("{\"model\":\"q\\\"x\",\"stream\":true}");
  }

  @Test
  void anAnswerThatIsNotAnObjectIsMalformed() {
    assertThatThrownBy(() -> JsonValues.object("[1]", "response"))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent a response that is not a JSON object: [1]");
    assertThatThrownBy(() -> JsonValues.object("{\"a\":", "response"))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent a response that is not valid JSON: {\"a\":");
    assertThatThrownBy(() -> JsonValues.object("  ", "response"))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent an empty response");
  }
}
