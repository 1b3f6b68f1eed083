package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message flowing through a graph: the current text, the graph's original input, variables set
 * by nodes ({@code route}, {@code gate}, {@code iteration}, {@code branches}) and each node's
 * output. Immutable; nodes return a new payload.
 */
public final class Payload {
  private final String text;
  private final String originalInput;
  private final Map<String, Object> vars;
  private final Map<String, Object> outputs;

  private Payload(
      String text, String originalInput, Map<String, Object> vars, Map<String, Object> outputs) {
    this.text = requireNonNull(text, "text is null");
    this.originalInput = originalInput;
    this.vars = vars;
    this.outputs = outputs;
  }

  public static Payload of(String input) {
    return new Payload(input, input, Map.of(), Map.of());
  }

  public String text() {
    return text;
  }

  public Object var(String name) {
    return vars.get(name);
  }

  /** This payload with {@code nodeId}'s output {@code newText} as the current text. */
  Payload withOutput(String nodeId, String newText) {
    Map<String, Object> copy = new LinkedHashMap<>(outputs);
    copy.put(nodeId, newText);
    return new Payload(newText, originalInput, vars, Map.copyOf(copy));
  }

  Payload with(String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(vars);
    copy.put(name, value);
    return new Payload(text, originalInput, Map.copyOf(copy), outputs);
  }

  /**
   * What expressions and templates see: {@code input} and {@code text} (the current text), {@code
   * original_input}, {@code nodes.<id>}, the variables, and {@code json} (the text parsed as JSON,
   * when it is JSON).
   */
  public Map<String, Object> view() {
    Map<String, Object> view = new LinkedHashMap<>(vars);
    view.put("input", text);
    view.put("text", text);
    view.put("original_input", originalInput);
    view.put("nodes", outputs);
    Object json = Json.parseOrNull(text);
    if (json != null) {
      view.put("json", json);
    }
    return view;
  }
}
