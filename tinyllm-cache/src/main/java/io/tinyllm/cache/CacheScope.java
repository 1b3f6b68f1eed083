package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

/**
 * The {@link CachePolicy} of calls made on this thread until the scope is closed; outside any scope
 * it is {@link CachePolicy#USE}. A thread-local rather than a request field because callers hold a
 * plain {@link io.tinyllm.api.llm.LlmClient} and the request types belong to the API.
 *
 * <pre>{@code
 * try (CacheScope scope = CacheScope.open(CachePolicy.REFRESH)) {
 *   client.generate(request); // asks the model, overwrites the stored answer
 * }
 * }</pre>
 *
 * <p>A streamed call reads the policy when it starts, on the calling thread. Scopes nest; closing
 * one restores the policy that was current when it opened.
 */
public final class CacheScope implements AutoCloseable {
  private static final ThreadLocal<CachePolicy> CURRENT = new ThreadLocal<>();

  private final CachePolicy previous;

  private CacheScope(CachePolicy previous) {
    this.previous = previous;
  }

  /** Makes {@code policy} current on this thread until the returned scope is closed. */
  public static CacheScope open(CachePolicy policy) {
    requireNonNull(policy, "policy is null");
    CachePolicy previous = CURRENT.get();
    CURRENT.set(policy);
    return new CacheScope(previous);
  }

  /** The policy of the calling thread. */
  public static CachePolicy current() {
    CachePolicy policy = CURRENT.get();
    return policy == null ? CachePolicy.USE : policy;
  }

  @Override
  public void close() {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
