package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.llm.LlmResponse;
import java.time.Duration;
import java.util.Arrays;
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
