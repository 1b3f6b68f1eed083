package io.tinyllm.api.llm;

import java.util.List;
import java.util.Map;

/**
 * Model options that change the answer (Ollama's {@code options}). Every field is optional; {@code
 * null} leaves the server's default. {@code extra} carries any other option by its Ollama name.
 *
 * <pre>{@code
 * GenerationOptions options = GenerationOptions.builder().temperature(0.0).numPredict(64).build();
 * }</pre>
 */
public record GenerationOptions(
    Double temperature,
    Double topP,
    Integer topK,
    Integer numPredict,
    List<String> stop,
    Integer seed,
    Integer numCtx,
    Map<String, Object> extra) {

  public static final GenerationOptions DEFAULT =
      new GenerationOptions(null, null, null, null, List.of(), null, null, Map.of());

  public GenerationOptions {
    stop = stop == null ? List.of() : List.copyOf(stop);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  /**
   * Whether the same request yields the same answer: greedy sampling (temperature 0) or a fixed
   * seed. Caches store only deterministic answers unless told otherwise.
   */
  public boolean isDeterministic() {
    return seed != null || (temperature != null && temperature == 0.0);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .temperature(temperature)
        .topP(topP)
        .topK(topK)
        .numPredict(numPredict)
        .stop(stop)
        .seed(seed)
        .numCtx(numCtx)
        .extra(extra);
  }

  /** Builds {@link GenerationOptions}. */
  public static final class Builder {
    private Double temperature;
    private Double topP;
    private Integer topK;
    private Integer numPredict;
    private List<String> stop = List.of();
    private Integer seed;
    private Integer numCtx;
    private Map<String, Object> extra = Map.of();

    private Builder() {}

    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    public Builder topP(Double topP) {
      this.topP = topP;
      return this;
    }

    public Builder topK(Integer topK) {
      this.topK = topK;
      return this;
    }

    public Builder numPredict(Integer numPredict) {
      this.numPredict = numPredict;
      return this;
    }

    public Builder stop(List<String> stop) {
      this.stop = stop;
      return this;
    }

    public Builder seed(Integer seed) {
      this.seed = seed;
      return this;
    }

    public Builder numCtx(Integer numCtx) {
      this.numCtx = numCtx;
      return this;
    }

    public Builder extra(Map<String, Object> extra) {
      this.extra = extra;
      return this;
    }

    public GenerationOptions build() {
      return new GenerationOptions(temperature, topP, topK, numPredict, stop, seed, numCtx, extra);
    }
  }
}
