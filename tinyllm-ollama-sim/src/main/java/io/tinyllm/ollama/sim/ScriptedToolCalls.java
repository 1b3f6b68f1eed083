package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The canned-answer form that makes a tool-capable model call tools: an answer {@code
 * tool_calls:[{"name": "get_weather", "arguments": {"city": "Tokyo"}}]}. Asked with {@code tools},
 * the model answers with those calls in Ollama's shape (empty content, {@code message.tool_calls}
 * with an {@code id} {@code call_} + 8 characters and {@code function.index}, as Ollama 0.13.5
 * writes them); asked without, it answers the JSON after the prefix as text, as a model whose
 * output is not parsed for tools would.
 *
 * <pre>{@code
 * SimulatorConfig.builder()
 *     .cannedAnswer("what is the weather in tokyo?",
 *         "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]")
 * }</pre>
 */
final class ScriptedToolCalls {
  static final String PREFIX = "tool_calls:";
  private static final String ID_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private ScriptedToolCalls() {}

  static boolean isScripted(String answer) {
    return answer.startsWith(PREFIX);
  }

  /** The text the model generates for the calls: the JSON after the prefix. */
  static String text(String answer) {
    return answer.substring(PREFIX.length()).strip();
  }

  /**
   * The calls of {@code answer} as Ollama's {@code tool_calls}; ids are derived from {@code seed}
   * so the same request gets the same ids.
   *
   * @throws ApiException (500) if the canned answer is not a JSON array of {@code {name,
   *     arguments}} objects: the simulator was set up wrongly
   */
  static ArrayNode wire(ObjectMapper mapper, String answer, String seed) {
    JsonNode calls;
    try {
      calls = mapper.readTree(text(answer));
    } catch (JsonProcessingException e) {
      throw misconfigured(answer);
    }
    if (calls == null || !calls.isArray()) {
      throw misconfigured(answer);
    }
    ArrayNode out = mapper.createArrayNode();
    int index = 0;
    for (JsonNode call : calls) {
      JsonNode name = call.get("name");
      JsonNode arguments = call.get("arguments");
      if (name == null || !name.isTextual() || (arguments != null && !arguments.isObject())) {
        throw misconfigured(answer);
      }
      ObjectNode entry = out.addObject().put("id", id(seed, index));
      ObjectNode function = entry.putObject("function");
      function.put("index", index).put("name", name.asText());
      function.set("arguments", arguments == null ? mapper.createObjectNode() : arguments);
      index++;
    }
    return out;
  }

  private static String id(String seed, int index) {
    long hash = Hashing.fnv64("tool-call", seed, Integer.toString(index));
    StringBuilder id = new StringBuilder("call_");
    for (int i = 0; i < 8; i++) {
      id.append(
          ID_LETTERS.charAt((int) Math.floorMod(hash >>> (i * 6), (long) ID_LETTERS.length())));
    }
    return id.toString();
  }

  private static ApiException misconfigured(String answer) {
    return new ApiException(
        500,
        "simulator: the canned answer "
            + WireFormat.goQuote(answer)
            + " is not tool_calls: followed by a JSON array of {\"name\", \"arguments\"} objects");
  }
}
