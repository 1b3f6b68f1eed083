package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How requests are read, over real HTTP, as Ollama v0.13.5 reads them: options type-checked with
 * Ollama's texts, {@code top_logprobs} bounds, {@code truncate: false}, case-insensitive JSON keys,
 * qualified model names and bodies of many megabytes.
 */
class OllamaSimulatorRequestsTest {
  private static final String FLOAT_ERROR = "option \"temperature\" must be of type float32";
  private static final String TOO_LONG = "the input length exceeds the context length";

  private static OllamaSimulator sim;
  private static SimClient client;

  @BeforeAll
  static void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder().timeScale(0.01).cannedAnswer("Say pong", "pong").build());
    client = new SimClient(sim.baseUri());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void everyKnownOptionIsTypeCheckedWithOllamasText() {
    assertOptionError("{\"temperature\":\"hot\"}", FLOAT_ERROR);
    assertOptionError("{\"top_p\":true}", "option \"top_p\" must be of type float32");
    assertOptionError("{\"top_k\":\"5\"}", "option \"top_k\" must be of type integer");
    assertOptionError("{\"num_ctx\":[1]}", "option \"num_ctx\" must be of type integer");
    assertOptionError("{\"num_thread\":{}}", "option \"num_thread\" must be of type integer");
    assertOptionError("{\"use_mmap\":1}", "option \"use_mmap\" must be of type boolean");
    assertOptionError("{\"stop\":\"x\"}", "option \"stop\" must be of type array");
    assertOptionError("{\"stop\":[\"a\",1]}", "option \"stop\" must be of an array of strings");
    assertOptionError(
        "{\"frequency_penalty\":\"0\"}", "option \"frequency_penalty\" must be of type float32");
  }

  @Test
  void wellTypedUnknownAndNullOptionsAreAccepted() {
    String options =
        "{\"temperature\":1,\"top_p\":0.5,\"seed\":3.7,\"stop\":[],\"use_mmap\":false,"
            + "\"made_up\":\"x\",\"num_predict\":null}";
    SimClient.Reply reply =
        client.post(
            "/api/generate",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Say pong\",\"stream\":false,\"options\":"
                + options
                + "}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("response").asText()).isEqualTo("pong");
  }

  @Test
  void optionsAreCheckedOnEmbedToo() {
    SimClient.Reply reply =
        client.post(
            "/api/embed",
            "{\"model\":\"nomic-embed-text\",\"input\":\"x\",\"options\":{\"temperature\":\"hot\"}}");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.error()).isEqualTo(FLOAT_ERROR);
  }

  @Test
  void anUnknownModelIsReportedBeforeItsOptions() {
    SimClient.Reply reply =
        client.post(
            "/api/embed",
            "{\"model\":\"nope\",\"input\":\"x\",\"options\":{\"temperature\":\"hot\"}}");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("model \"nope\" not found, try pulling it first");
  }

  @Test
  void topLogprobsOutsideZeroToTwentyIs400() {
    for (String path : List.of("/api/generate", "/api/chat")) {
      for (int top : new int[] {-1, 21}) {
        SimClient.Reply reply =
            client.post(
                path,
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}],\"logprobs\":true,\"top_logprobs\":"
                    + top
                    + "}");
        assertThat(reply.status()).as(path + " " + top).isEqualTo(400);
        assertThat(reply.error()).isEqualTo("top_logprobs must be between 0 and 20");
      }
    }
  }

  @Test
  void truncateFalseWithAnInputLongerThanTheContextIs400() {
    String longPrompt = "word ".repeat(200);
    String generate =
        "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\""
            + longPrompt
            + "\",\"options\":{\"num_ctx\":64},\"truncate\":false";
    SimClient.Reply streamed = client.post("/api/generate", generate + "}");
    assertThat(streamed.status()).isEqualTo(400);
    // the runner's error comes through streamResponse: plain application/json
    assertThat(streamed.contentType()).isEqualTo("application/json");
    assertThat(streamed.body()).isEqualTo("{\"error\":\"" + TOO_LONG + "\"}");

    SimClient.Reply whole = client.post("/api/generate", generate + ",\"stream\":false}");
    assertThat(whole.status()).isEqualTo(400);
    assertThat(whole.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(whole.error()).isEqualTo(TOO_LONG);

    String chat =
        "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + longPrompt
            + "\"}],\"options\":{\"num_ctx\":64},\"truncate\":false,\"stream\":false}";
    SimClient.Reply chatReply = client.post("/api/chat", chat);
    assertThat(chatReply.status()).isEqualTo(400);
    assertThat(chatReply.error()).isEqualTo(TOO_LONG);

    // by default the prompt is truncated to fit
    SimClient.Reply truncated =
        client.post("/api/chat", chat.replace("\"truncate\":false", "\"truncate\":true"));
    assertThat(truncated.status()).isEqualTo(200);
    SimClient.Reply fits =
        client.post("/api/generate", generate.replace(longPrompt, "hi") + ",\"stream\":false}");
    assertThat(fits.status()).isEqualTo(200);
  }

  @Test
  void embedWithTruncateFalseRefusesAnInputLongerThanTheContext() {
    String input = "word ".repeat(100);
    String request =
        "{\"model\":\"nomic-embed-text\",\"input\":[\"short\",\""
            + input
            + "\"],\"options\":{\"num_ctx\":32}";
    SimClient.Reply refused = client.post("/api/embed", request + ",\"truncate\":false}");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error()).isEqualTo(TOO_LONG);

    SimClient.Reply truncated = client.post("/api/embed", request + "}");
    assertThat(truncated.status()).isEqualTo(200);
    assertThat(truncated.json().get("embeddings")).hasSize(2);
    assertThat(truncated.json().get("prompt_eval_count").asInt())
        .isEqualTo(Tokenizer.count("short") + 32);
  }

  @Test
  void jsonKeysMatchStructFieldsIgnoringCaseAsGoDoes() {
    SimClient.Reply generate =
        client.post(
            "/api/generate",
            "{\"MODEL\":\"qwen2.5:0.5b\",\"Prompt\":\"Say pong\",\"stream\":false}");
    assertThat(generate.status()).isEqualTo(200);
    assertThat(generate.json().get("response").asText()).isEqualTo("pong");

    SimClient.Reply chat =
        client.post(
            "/api/chat",
            "{\"Model\":\"qwen2.5:0.5b\",\"Stream\":false,"
                + "\"Messages\":[{\"ROLE\":\"user\",\"Content\":\"Say pong\"}]}");
    assertThat(chat.status()).isEqualTo(200);
    assertThat(chat.json().get("message").get("content").asText()).isEqualTo("pong");

    // of two keys for one field the later wins, as Go assigns each in turn
    SimClient.Reply later =
        client.post("/api/show", "{\"model\":\"nope:1b\",\"MODEL\":\"qwen2.5:0.5b\"}");
    assertThat(later.status()).isEqualTo(200);

    // option names are map keys: exact, so a capitalised one is unknown and ignored
    SimClient.Reply option =
        client.post(
            "/api/generate",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Say pong\",\"stream\":false,"
                + "\"options\":{\"Temperature\":\"hot\"}}");
    assertThat(option.status()).isEqualTo(200);
  }

  @Test
  void qualifiedNamesResolveToTheInstalledModel() {
    for (String name :
        List.of(
            "registry.ollama.ai/library/qwen2.5:0.5b",
            "library/qwen2.5:0.5b",
            "REGISTRY.OLLAMA.AI/Library/Qwen2.5:0.5B",
            "https://registry.ollama.ai/library/qwen2.5:0.5b")) {
      SimClient.Reply reply =
          client.post(
              "/api/generate",
              "{\"model\":\"" + name + "\",\"prompt\":\"Say pong\",\"stream\":false}");
      assertThat(reply.status()).as(name).isEqualTo(200);
      assertThat(reply.json().get("model").asText()).isEqualTo(name); // echoed as given
      assertThat(reply.json().get("response").asText()).isEqualTo("pong");
    }
    SimClient.Reply defaultTag =
        client.post("/api/embed", "{\"model\":\"library/nomic-embed-text\",\"input\":\"x\"}");
    assertThat(defaultTag.status()).isEqualTo(200);
    assertThat(
            client
                .post("/api/show", "{\"model\":\"registry.ollama.ai/library/qwen2.5:0.5b\"}")
                .status())
        .isEqualTo(200);

    SimClient.Reply otherNamespace =
        client.post("/api/generate", "{\"model\":\"someone/qwen2.5:0.5b\",\"prompt\":\"x\"}");
    assertThat(otherNamespace.status()).isEqualTo(404);
    assertThat(otherNamespace.error()).isEqualTo("model 'someone/qwen2.5:0.5b' not found");
    SimClient.Reply invalid =
        client.post("/api/generate", "{\"model\":\"/qwen2.5:0.5b\",\"prompt\":\"x\"}");
    assertThat(invalid.status()).isEqualTo(404);
  }

  @Test
  void bodiesOfManyMegabytesAreRead() {
    // a 24 MiB image, base64: beyond the 16 MiB some servers cap, normal for Ollama
    byte[] image = new byte[24 * 1024 * 1024];
    String base64 = Base64.getEncoder().encodeToString(image);
    SimClient.Reply reply =
        client.post(
            "/api/generate",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Say pong\",\"stream\":false,\"images\":[\""
                + base64
                + "\"]}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("response").asText()).isEqualTo("pong");
    assertThat(sim.config().maxRequestBytes()).isEqualTo(256 * 1024 * 1024);
  }

  private static void assertOptionError(String options, String error) {
    for (String path : List.of("/api/generate", "/api/chat")) {
      SimClient.Reply reply =
          client.post(
              path,
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"messages\":[{\"role\":\"user\","
                  + "\"content\":\"hi\"}],\"stream\":false,\"options\":"
                  + options
                  + "}");
      assertThat(reply.status()).as(path + " " + options).isEqualTo(500);
      assertThat(reply.contentType()).isEqualTo("application/json; charset=utf-8");
      JsonNode body = reply.json();
      assertThat(body.get("error").asText()).isEqualTo(error);
    }
  }
}
