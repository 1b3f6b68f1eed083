package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.GenerationOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OllamaClient#create}: the body of {@code POST /api/create}, as {@code /save} sends it. */
class CreateModelTest {
  @Test
  void aSessionBecomesAModelDerivedFromItsBase() {
    try (ReplayServer server = ReplayServer.answering("{\"status\":\"success\"}\n");
        OllamaClient client =
            OllamaClient.create(OllamaConfig.defaults().withHost(server.baseUri()))) {
      client.create(
          "pirate",
          "qwen2.5:0.5b",
          "Talk like a pirate.",
          GenerationOptions.builder().temperature(0.5).numCtx(4096).build(),
          List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Arr!")));

      assertThat(server.requestBodies())
          .containsExactly(
              "{\"model\":\"pirate\",\"from\":\"qwen2.5:0.5b\",\"system\":\"Talk like a pirate.\","
                  + "\"parameters\":{\"temperature\":0.5,\"num_ctx\":4096},"
                  + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                  + "{\"role\":\"assistant\",\"content\":\"Arr!\"}],\"stream\":false}");
    }
  }

  @Test
  void whatTheSessionDidNotSetIsLeftOut() {
    try (ReplayServer server = ReplayServer.answering("{\"status\":\"success\"}\n");
        OllamaClient client =
            OllamaClient.create(OllamaConfig.defaults().withHost(server.baseUri()))) {
      client.create("copy", "qwen2.5:0.5b", null, GenerationOptions.DEFAULT, List.of());

      assertThat(server.requestBodies())
          .containsExactly("{\"model\":\"copy\",\"from\":\"qwen2.5:0.5b\",\"stream\":false}");
    }
  }
}
