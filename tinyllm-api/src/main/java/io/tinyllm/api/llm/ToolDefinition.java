package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

/**
 * A function the model may call (one entry of Ollama's {@code tools}). Sent as {@code {"type":
 * "function", "function": {"name": ..., "description": ..., "parameters": <schema>}}}. The
 * parameters schema is raw JSON text, as in {@link ResponseFormat#schema}, because this module has
 * no JSON library.
 *
 * <pre>{@code
 * ToolDefinition weather = ToolDefinition.function(
 *     "get_weather",
 *     "Get the weather in a given city",
 *     """
 *     {"type": "object",
 *      "properties": {"city": {"type": "string", "description": "The city"}},
 *      "required": ["city"]}
 *     """);
 * }</pre>
 *
 * @param name the function's name, as the model will call it
 * @param description what it does, for the model; {@code null} for none
 * @param parametersJson the JSON schema of its arguments: the text of a JSON object
 */
public record ToolDefinition(String name, String description, String parametersJson) {

  public ToolDefinition {
    requireNonNull(name, "name is null");
    requireNonNull(parametersJson, "parametersJson is null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("A tool needs a name");
    }
    parametersJson = parametersJson.strip();
    if (!parametersJson.startsWith("{")) {
      throw new IllegalArgumentException(
          "The parameters of tool '" + name + "' must be a JSON object schema: " + parametersJson);
    }
  }

  public static ToolDefinition function(String name, String description, String parametersJson) {
    return new ToolDefinition(name, description, parametersJson);
  }
}
