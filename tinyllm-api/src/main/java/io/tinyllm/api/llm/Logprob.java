package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The log probability of one generated token, and of the most likely alternatives at its position
 * when asked for (Ollama's {@code logprobs} entries, requested with {@code logprobs: true} and
 * {@code top_logprobs: N}).
 *
 * @param token the token's text
 * @param logprob its natural-log probability (0 is certain)
 * @param topLogprobs the most likely tokens at this position, best first; empty unless asked for,
 *     and always empty on an alternative itself
 */
public record Logprob(String token, double logprob, List<Logprob> topLogprobs) {

  public Logprob {
    requireNonNull(token, "token is null");
    topLogprobs = topLogprobs == null ? List.of() : List.copyOf(topLogprobs);
  }

  public Logprob(String token, double logprob) {
    this(token, logprob, List.of());
  }
}
