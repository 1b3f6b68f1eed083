package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.Chunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The side readers find the same facts however the bytes are cut. */
class AnswerReaderTest {
  private static final String SSE =
      ": keep-alive comment\r\n"
          + "event: message\r\n"
          + "data:{\"choices\":[{\"delta\":{\"reasoning\":\"hm\"}}]}\r\n\r\n"
          + "id: 7\n"
          + "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"c\"}]},"
          + "\"finish_reason\":\"tool_calls\"}]}\n\n"
          + "data: {\"choices\":[],\n"
          + "data: \"usage\":{\"prompt_tokens\":4,\"completion_tokens\":6}}\n\n"
          + "data: [DONE]\n\n";

  @Test
  void serverSentEventsWhetherWholeOrByteByByte() {
    for (int pieceSize : new int[] {SSE.length(), 1, 2, 7}) {
      List<String> facts = new ArrayList<>();
      JsonAnswerReader json = new JsonAnswerReader(f -> facts.add(describe(f)));
      SseAnswerReader sse = new SseAnswerReader(json);
      feed(SSE, pieceSize, sse::feed);
      sse.end();

      assertThat(facts)
          .as("pieces of %d bytes", pieceSize)
          .containsExactly("output", "output finished", "usage 4/6");
      assertThat(sse.doneMarker()).isTrue();
      assertThat(json.failed()).isFalse();
    }
  }

  @Test
  void nativeChunksWithThinkingToolCallsAndAnError() {
    String ndjson =
        "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"so\"},\"done\":false}\n"
            + "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":"
            + "{\"name\":\"f\",\"arguments\":{\"content\":\"deep\"}}}]},\"done\":false}\n"
            + "{\"response\":\"\",\"done\":false}\n"
            + "{\"error\":\"out of memory\"}\n"
            + "{\"response\":\"\",\"done\":true,\"prompt_eval_count\":3,\"eval_count\":9}\n";
    for (int pieceSize : new int[] {ndjson.length(), 1, 5}) {
      List<String> facts = new ArrayList<>();
      JsonAnswerReader json = new JsonAnswerReader(f -> facts.add(describe(f)));
      feed(ndjson, pieceSize, json::feed);
      json.end();

      assertThat(facts)
          .as("pieces of %d bytes", pieceSize)
          .containsExactly("output", "output", "", "error", "done 3/9");
    }
  }

  @Test
  void textThatIsNotJsonStopsTheReadingAndIsReportedAsSuch() {
    List<String> facts = new ArrayList<>();
    JsonAnswerReader json = new JsonAnswerReader(f -> facts.add(describe(f)));
    feed("{\"done\":false}\nnot json at all\n{\"done\":true}\n", 3, json::feed);

    assertThat(facts).containsExactly("");
    assertThat(json.failed()).isTrue();
  }

  private interface Feed {
    void feed(byte[] bytes, int offset, int length);
  }

  private static void feed(String text, int pieceSize, Feed feed) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; at += pieceSize) {
      // a fresh array each time, as a reused read buffer would be overwritten
      int length = Math.min(pieceSize, bytes.length - at);
      byte[] piece = new byte[length + 2];
      System.arraycopy(bytes, at, piece, 1, length);
      feed.feed(piece, 1, length);
    }
  }

  private static String describe(Chunk f) {
    List<String> parts = new ArrayList<>();
    if (f.output()) {
      parts.add("output");
    }
    if (f.finished()) {
      parts.add("finished");
    }
    if (f.error()) {
      parts.add("error");
    }
    if (f.done()) {
      parts.add("done " + f.promptEvalCount() + "/" + f.evalCount());
    }
    if (f.usagePromptTokens() >= 0) {
      parts.add("usage " + f.usagePromptTokens() + "/" + f.usageCompletionTokens());
    }
    return String.join(" ", parts);
  }
}
