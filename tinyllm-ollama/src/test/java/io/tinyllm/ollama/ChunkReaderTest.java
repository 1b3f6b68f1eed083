package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.ResponseTooLargeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one reader of answers finds the same fields however the bytes are cut. */
class ChunkReaderTest {
  private static final String STREAM =
      "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"caf\u00e9 \u2603\","
          + "\"thinking\":\"hm\"},\"done\":false}\n"
          + "\n"
          + "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\","
          + "\"tool_calls\":[{\"id\":\"call_1\",\"function\":{\"index\":0,\"name\":\"get_weather\","
          + "\"arguments\":{\"city\":\"Tokyo\",\"days\":[1,2.5],\"deep\":{\"a\":null}}}}]},"
          + "\"done\":false}\r\n"
          + "{\"response\":\"Hi\",\"logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.5,\"bytes\":[72],"
          + "\"top_logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.5},{\"token\":\"Yo\",\"logprob\":-2}]}],"
          + "\"done\":false}\n"
          + "{\"model\":\"llama3.2\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\","
          + "\"context\":[1,2,3],\"total_duration\":1200,\"load_duration\":0,"
          + "\"prompt_eval_count\":12,\"prompt_eval_duration\":35,\"eval_count\":3,"
          + "\"eval_duration\":1100}";

  @Test
  void everyFieldTheClientUsesWhateverThePieces() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int piece : new int[] {bytes.length, 1, 2, 3, 7, 64}) {
      List<String> seen = new ArrayList<>();
      ChunkReader reader = ChunkReader.keepingContent(1 << 20);
      for (int at = 0; at < bytes.length; at += piece) {
        // direct buffers too: the JDK may hand over either kind
        int length = Math.min(piece, bytes.length - at);
        ByteBuffer buffer =
            (at / piece) % 2 == 0 ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
        buffer.put(bytes, at, length).flip();
        reader.feed(buffer);
        assertThat(buffer.hasRemaining()).isFalse();
        for (Chunk chunk; (chunk = reader.next()) != null; ) {
          seen.add(describe(chunk));
        }
      }
      reader.end();
      assertThat(reader.next()).isNull();

      assertThat(seen)
          .as("pieces of %d bytes", piece)
          .containsExactly(
              "output text='caf\u00e9 \u2603' thinking='hm' model=llama3.2 done=false",
              "output text='' thinking='' model=llama3.2 done=false calls=[ToolCall[id=call_1,"
                  + " name=get_weather, argumentsJson={\"city\":\"Tokyo\",\"days\":[1,2.5],"
                  + "\"deep\":{\"a\":null}}]]",
              "output text='Hi' thinking='' model=null done=false logprobs=[Logprob[token=Hi,"
                  + " logprob=-0.5, topLogprobs=[Logprob[token=Hi, logprob=-0.5, topLogprobs=[]],"
                  + " Logprob[token=Yo, logprob=-2.0, topLogprobs=[]]]]]",
              "text='' thinking='' model=llama3.2 done=true reason=stop counts=12/3"
                  + " durations=1200/0/35/1100");
    }
  }

  @Test
  void errorsAsStringsAndObjectsAndValuesThatAreNotWhatOllamaSends() {
    assertThat(OllamaJson.error(read("{\"error\":\"out of memory\"}"))).isEqualTo("out of memory");
    assertThat(OllamaJson.error(read("{\"error\":{\"message\":\"m\",\"code\":1}}")))
        .isEqualTo("{\"message\":\"m\",\"code\":1}");
    assertThat(OllamaJson.error(read("{\"error\":null,\"done\":false}"))).isNull();

    Chunk negative = read("{\"done\":true,\"eval_count\":-5,\"prompt_eval_count\":1.5}");
    assertThat(negative.invalidField()).isEqualTo("eval_count");
    assertThat(negative.invalidText()).isEqualTo("-5");
    assertThat(negative.evalCount()).isEqualTo(-1);
    assertThat(read("{\"done\":true,\"eval_count\":{\"n\":1}}").invalidText())
        .isEqualTo("{\"n\":1}");
    assertThat(read("{\"done\":true,\"total_duration\":\"5s\"}").invalidText()).isEqualTo("\"5s\"");

    assertThatThrownBy(() -> OllamaJson.done(read("{\"done\":\"yes\"}")))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent a chunk whose \"done\" is \"yes\", not a boolean");
    assertThat(OllamaJson.done(read("{\"done\":null}"))).isFalse();
  }

  @Test
  void badJsonNamesTheLineItBrokeOn() {
    ChunkReader reader = ChunkReader.keepingContent(1 << 20);
    byte[] bytes =
        "{\"response\":\"a\",\"done\":false}\n{\"response\": nope}\n"
            .getBytes(StandardCharsets.UTF_8);
    reader.feed(bytes, 0, bytes.length);

    assertThat(reader.next().text()).isEqualTo("a");
    assertThatThrownBy(reader::next)
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent a stream chunk that is not valid JSON: {\"response\": nope}");
  }

  @Test
  void aTopLevelValueThatIsNotAnObjectIsMalformed() {
    ChunkReader reader = ChunkReader.keepingContent(1 << 20);
    byte[] bytes = "[1,2]\n".getBytes(StandardCharsets.UTF_8);
    reader.feed(bytes, 0, bytes.length);

    assertThatThrownBy(reader::next)
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("not an object");
  }

  @Test
  void anObjectLongerThanTheLimitFailsInsteadOfGrowing() {
    ChunkReader reader = ChunkReader.keepingContent(32);
    byte[] small = "{\"response\":\"a\"}\n".getBytes(StandardCharsets.UTF_8);
    reader.feed(small, 0, small.length);
    assertThat(reader.next().text()).isEqualTo("a");
    assertThat(reader.next()).isNull();

    byte[] large =
        "{\"response\":\"0123456789012345678901234567890123".getBytes(StandardCharsets.UTF_8);
    reader.feed(large, 0, large.length);
    assertThatThrownBy(reader::next)
        .isInstanceOf(ResponseTooLargeException.class)
        .hasMessage(
            "A chunk of the streamed answer is longer than the 32 bytes the client accepts"
                + " (setting 'ollama.max-response-bytes')");
  }

  @Test
  void anAnswerThatEndsInsideAnObjectIsMalformed() {
    ChunkReader reader = ChunkReader.keepingContent(1 << 20);
    byte[] bytes =
        "{\"response\":\"a\",\"done\":false}\n{\"response\":".getBytes(StandardCharsets.UTF_8);
    reader.feed(bytes, 0, bytes.length);
    assertThat(reader.next().text()).isEqualTo("a");
    assertThat(reader.next()).isNull();
    reader.end();

    assertThatThrownBy(reader::next)
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("Ollama sent a stream chunk that is not valid JSON: {\"response\":");
  }

  @Test
  void aReaderForMetricsKeepsNoText() {
    ChunkReader reader = ChunkReader.forMetrics();
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    reader.feed(bytes, 0, bytes.length);
    Chunk chunk = reader.next();
    assertThat(chunk.output()).isTrue();
    assertThat(chunk.text()).isEmpty();
    chunk = reader.next();
    assertThat(chunk.output()).isTrue();
    assertThat(chunk.toolCalls()).as("only that there were some").isEmpty();
  }

  private static Chunk read(String json) {
    return ChunkReader.whole(json, 1 << 20);
  }

  private static String describe(Chunk c) {
    StringBuilder s = new StringBuilder();
    if (c.output()) {
      s.append("output ");
    }
    s.append("text='").append(c.text()).append("' thinking='").append(c.thinking()).append("'");
    s.append(" model=").append(c.model()).append(" done=").append(OllamaJson.done(c));
    if (c.doneReason() != null) {
      s.append(" reason=").append(c.doneReason());
    }
    if (!c.toolCalls().isEmpty()) {
      s.append(" calls=").append(c.toolCalls());
    }
    if (!c.logprobs().isEmpty()) {
      s.append(" logprobs=").append(c.logprobs());
    }
    if (c.done()) {
      s.append(" counts=").append(c.promptEvalCount()).append('/').append(c.evalCount());
      s.append(" durations=")
          .append(c.totalDuration())
          .append('/')
          .append(c.loadDuration())
          .append('/')
          .append(c.promptEvalDuration())
          .append('/')
          .append(c.evalDuration());
    }
    return s.toString();
  }
}
