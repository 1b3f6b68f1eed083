package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /api/show} tells about one model.
 *
 * @param capabilities {@code completion}, {@code embedding}, {@code tools}, {@code thinking}, ...
 * @param modelInfo the raw {@code model_info} map ({@code general.architecture}, context length,
 *     ...), values as JSON scalars, lists or maps
 */
public record ModelInfo(
    String name,
    String modelfile,
    String parameters,
    String template,
    String license,
    ModelDetails details,
    List<String> capabilities,
    Map<String, Object> modelInfo,
    Instant modifiedAt) {
  public ModelInfo {
    requireNonNull(name, "name is null");
    details = details == null ? ModelDetails.UNKNOWN : details;
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    modelInfo = modelInfo == null ? Map.of() : Map.copyOf(modelInfo);
  }
}
