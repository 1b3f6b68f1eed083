package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseCodecTest {

  @Test
  void roundTripsEveryField() {
    LlmResponse response =
        new LlmResponse(
            "qwen2.5:0.5b",
            "Vier. ✓ " + "x".repeat(70_000),
            "thinking…",
            "length",
            12,
            34,
            Duration.ofNanos(123_456_789),
            Duration.ofMillis(5),
            Duration.ofMillis(6),
            Duration.ofMillis(7));

    assertThat(ResponseCodec.decode(ResponseCodec.encode(response))).isEqualTo(response);
  }

  @Test
  void roundTripsMissingOptionalFields() {
    LlmResponse response = new LlmResponse("m", "", null, null, 0, 0, null, null, null, null);

    assertThat(ResponseCodec.decode(ResponseCodec.encode(response))).isEqualTo(response);
  }

  static LlmResponse toolAnswer() {
    return new LlmResponse(
        "llama3.2:latest",
        "",
        null,
        "stop",
        169,
        18,
        Duration.ofMillis(3244),
        Duration.ofMillis(2969),
        Duration.ofMillis(141),
        Duration.ofMillis(133),
        List.of(
            new ToolCall("call_k3v9x0qa", "get_weather", "{\"city\":\"Tokyo\"}"),
            new ToolCall(null, "get_time", "{}")),
        List.of(
            new Logprob(
                "Hi", -0.0123, List.of(new Logprob("Hi", -0.0123), new Logprob("Hey", -4.5))),
            new Logprob(" ✓", -0.25)));
  }

  @Test
  void roundTripsToolCallsAndLogprobsInFormatTwo() {
    LlmResponse response = toolAnswer();

    byte[] bytes = ResponseCodec.encode(response);

    assertThat(bytes[0]).isEqualTo(ResponseCodec.VERSION_WITH_TOOLS);
    assertThat(ResponseCodec.decode(bytes)).isEqualTo(response);
  }

  @Test
  void aPlainAnswerIsStillWrittenInFormatOneForOlderReaders() {
    LlmResponse plain = FakeLlmClient.answer("m", "hello");

    byte[] bytes = ResponseCodec.encode(plain);

    assertThat(bytes[0]).isEqualTo(ResponseCodec.VERSION);
    assertThat(ResponseCodec.decode(bytes).toolCalls()).isEmpty();
  }

  @Test
  void refusesACountPastTheEnd() {
    byte[] bytes = ResponseCodec.encode(toolAnswer());
    // the tool-call count follows the fixed part: version, 4 strings, 6 longs
    int countAt = 1 + (4 + 15) + (4 + 0) + 4 + (4 + 4) + 6 * 8;
    assertThat(bytes[countAt + 3]).isEqualTo((byte) 2);
    bytes[countAt] = 0x7f;

    assertThatThrownBy(() -> ResponseCodec.decode(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit");
  }

  @Test
  void refusesOtherFormatsAndDamagedBytes() {
    byte[] bytes = ResponseCodec.encode(FakeLlmClient.answer("m", "hello"));
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9;

    assertThatThrownBy(() -> ResponseCodec.decode(otherVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> ResponseCodec.decode(Arrays.copyOf(bytes, bytes.length - 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResponseCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResponseCodec.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
