package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

/**
 * A call of a {@link ToolDefinition} the model asked for (one entry of Ollama's {@code
 * message.tool_calls}). Run the function, then send its result back with {@link
 * ChatMessage#toolResult(ToolCall, String)} together with {@link ChatMessage#assistant(String,
 * java.util.List)} carrying this call.
 *
 * @param id the call's id when the server gave one ({@code call_...} since Ollama 0.12.10), else
 *     {@code null}
 * @param name the function to call
 * @param argumentsJson its arguments: the text of a JSON object, e.g. {@code {"city":"Tokyo"}}
 */
public record ToolCall(String id, String name, String argumentsJson) {

  public ToolCall {
    requireNonNull(name, "name is null");
    requireNonNull(argumentsJson, "argumentsJson is null");
  }
}
