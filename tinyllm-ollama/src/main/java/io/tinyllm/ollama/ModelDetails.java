package io.tinyllm.ollama;

import java.util.List;

/**
 * The {@code details} Ollama reports for a model.
 *
 * @param parameterSize as Ollama spells it: {@code 494.03M}, {@code 7.6B}
 * @param quantizationLevel {@code Q4_K_M}, {@code F16}, ...
 */
public record ModelDetails(
    String parentModel,
    String format,
    String family,
    List<String> families,
    String parameterSize,
    String quantizationLevel) {
  public static final ModelDetails UNKNOWN = new ModelDetails("", "", "", List.of(), "", "");

  public ModelDetails {
    families = families == null ? List.of() : List.copyOf(families);
  }
}
