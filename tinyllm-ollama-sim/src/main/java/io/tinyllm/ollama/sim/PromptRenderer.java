package io.tinyllm.ollama.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a request the way Ollama feeds it to a model with a ChatML template (the qwen2.5 library
 * template, registry blob {@code eb4402837c78}), so {@code prompt_eval_count} counts what a real
 * model evaluates: the system prompt, the role tags and the generation prompt, not just the user's
 * words. For {@code "hi"} and no system prompt:
 *
 * <pre>
 * &lt;|im_start|&gt;user
 * hi&lt;|im_end|&gt;
 * &lt;|im_start|&gt;assistant
 * </pre>
 *
 * <p>The system prompt is the request's system messages joined by a blank line, or else the model's
 * own ({@code SYSTEM} of its Modelfile), as {@code ChatHandler} and {@code collate} in Ollama
 * v0.13.5 (server/routes.go, template/template.go) do; consecutive messages of one role are merged
 * the same way. {@code /api/generate} renders its prompt as one user message.
 */
final class PromptRenderer {
  private static final String START = "<|im_start|>";
  private static final String END = "<|im_end|>";

  private PromptRenderer() {}

  /** One chat message: its role and text. */
  record Turn(String role, String content) {}

  /** The rendered prompt of a chat request. */
  static String chat(SimulatedModel model, List<Turn> messages) {
    List<String> system = new ArrayList<>();
    List<Turn> collated = new ArrayList<>();
    for (Turn turn : messages) {
      if ("system".equals(turn.role())) {
        system.add(turn.content());
      }
      int last = collated.size() - 1;
      if (last >= 0
          && collated.get(last).role().equals(turn.role())
          && !"tool".equals(turn.role())) {
        Turn merged = collated.get(last);
        collated.set(last, new Turn(merged.role(), merged.content() + "\n\n" + turn.content()));
      } else {
        collated.add(turn);
      }
    }
    String systemText = system.isEmpty() ? model.system() : String.join("\n\n", system);
    StringBuilder out = new StringBuilder();
    if (!systemText.isEmpty()) {
      out.append(START).append("system\n").append(systemText).append(END).append('\n');
    }
    for (int i = 0; i < collated.size(); i++) {
      Turn turn = collated.get(i);
      boolean last = i == collated.size() - 1;
      switch (turn.role()) {
        case "system" -> {
          // rendered once, above
        }
        case "assistant" -> {
          out.append(START).append("assistant\n").append(turn.content());
          if (!last) {
            out.append(END).append('\n');
          }
        }
        case "tool" ->
            out.append(START)
                .append("user\n<tool_response>\n")
                .append(turn.content())
                .append("\n</tool_response>")
                .append(END)
                .append('\n');
        default ->
            out.append(START).append("user\n").append(turn.content()).append(END).append('\n');
      }
      if (last && !"assistant".equals(turn.role())) {
        out.append(START).append("assistant\n");
      }
    }
    return out.toString();
  }

  /** The rendered prompt of a generate request (not raw): the system prompt and one user turn. */
  static String generate(SimulatedModel model, String system, String prompt) {
    List<Turn> turns = new ArrayList<>();
    if (!system.isEmpty()) {
      turns.add(new Turn("system", system));
    }
    turns.add(new Turn("user", prompt));
    return chat(model, turns);
  }
}
