package io.tinyllm.executor;

import io.tinyllm.api.llm.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A model node's {@code config.options} (Ollama option names) as {@link GenerationOptions}. */
final class ModelOptions {
  private ModelOptions() {}

  static GenerationOptions from(NodeConfig c) {
    Map<?, ?> options = c.map("options");
    GenerationOptions.Builder b = GenerationOptions.builder();
    Map<String, Object> extra = new java.util.LinkedHashMap<>();
    for (Map.Entry<?, ?> e : options.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      switch (key) {
        case "temperature" -> b.temperature(number(c, key, v));
        case "top_p" -> b.topP(number(c, key, v));
        case "top_k" -> b.topK(integer(c, key, v));
        case "num_predict" -> b.numPredict(integer(c, key, v));
        case "seed" -> b.seed(integer(c, key, v));
        case "num_ctx" -> b.numCtx(integer(c, key, v));
        case "stop" -> b.stop(stop(c, v));
        default -> extra.put(key, v);
      }
    }
    return b.extra(extra).build();
  }

  private static Double number(NodeConfig c, String key, Object v) {
    return v instanceof Number n
        ? n.doubleValue()
        : c.problem("options", key + " must be a number", null);
  }

  private static Integer integer(NodeConfig c, String key, Object v) {
    return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        ? n.intValue()
        : c.problem("options", key + " must be an integer", null);
  }

  private static List<String> stop(NodeConfig c, Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> list) {
      list.forEach(item -> out.add(String.valueOf(item)));
    } else if (v instanceof String s) {
      out.add(s);
    } else {
      return c.problem("options", "stop must be a list of strings", List.of());
    }
    return out;
  }
}
