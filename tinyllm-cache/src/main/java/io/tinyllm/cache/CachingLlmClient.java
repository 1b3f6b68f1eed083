package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link LlmClient} that answers repeated requests from a {@link ResponseCache} and asks the
 * wrapped client otherwise.
 *
 * <pre>{@code
 * LlmClient client = new CachingLlmClient(ollama, cache, metrics, false);
 * client.generate(request);                 // miss: asks Ollama, stores the answer
 * client.generate(request);                 // hit: Ollama is not called
 * try (CacheScope scope = CacheScope.open(CachePolicy.BYPASS)) {
 *   client.generate(request);               // asks Ollama, cache untouched
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Keys are {@link CacheKeys} of the request.
 *   <li>Requests that are not {@link GenerationOptions#isDeterministic() deterministic} go straight
 *       to the model (counted as a skip, reason {@code nondeterministic}) unless {@code
 *       cacheNondeterministic}.
 *   <li>A streamed hit is replayed on the calling thread before the call returns: the thinking if
 *       any, the answer in word-sized {@code onToken} pieces, then {@code onComplete}. A streamed
 *       miss is stored when it completes; a failed or cancelled stream stores nothing.
 *   <li>Tools, tool calls and results in the messages, and a logprobs request are part of the key;
 *       an answer's tool calls and log probabilities are stored with it and replayed (after the
 *       text, before {@code onComplete}).
 *   <li>Embeddings pass through uncached.
 *   <li>Answers the model flagged as loading or unloading (done reason {@code load}, {@code
 *       unload}) carry no text worth keeping and are not stored.
 * </ul>
 */
public final class CachingLlmClient implements LlmClient {
  private static final Set<String> UNCACHEABLE_DONE_REASONS = Set.of("load", "unload");

  private final LlmClient delegate;
  private final ResponseCache cache;
  private final CacheMetrics metrics;
  private final boolean cacheNondeterministic;

  public CachingLlmClient(
      LlmClient delegate,
      ResponseCache cache,
      CacheMetrics metrics,
      boolean cacheNondeterministic) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.cacheNondeterministic = cacheNondeterministic;
  }

  /** The client this one asks on a miss. */
  public LlmClient delegate() {
    return delegate;
  }

  public ResponseCache cache() {
    return cache;
  }

  @Override
  public LlmResponse generate(GenerateRequest request) {
    return call(request.options(), () -> CacheKeys.of(request), () -> delegate.generate(request));
  }

  @Override
  public LlmResponse chat(ChatRequest request) {
    return call(request.options(), () -> CacheKeys.of(request), () -> delegate.chat(request));
  }

  @Override
  public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
    return stream(
        request.options(),
        () -> CacheKeys.of(request),
        listener,
        l -> delegate.generateStream(request, l));
  }

  @Override
  public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
    return stream(
        request.options(),
        () -> CacheKeys.of(request),
        listener,
        l -> delegate.chatStream(request, l));
  }

  @Override
  public EmbedResponse embed(EmbedRequest request) {
    return delegate.embed(request);
  }

  private LlmResponse call(
      GenerationOptions options, Supplier<String> keyOf, Supplier<LlmResponse> model) {
    CachePolicy policy = policy(options);
    if (policy == CachePolicy.BYPASS) {
      return model.get();
    }
    String key = keyOf.get();
    if (policy == CachePolicy.USE) {
      Optional<LlmResponse> cached = cache.get(key);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    LlmResponse response = model.get();
    store(key, response);
    return response;
  }

  private StreamHandle stream(
      GenerationOptions options,
      Supplier<String> keyOf,
      StreamListener listener,
      Function<StreamListener, StreamHandle> model) {
    requireNonNull(listener, "listener is null");
    CachePolicy policy = policy(options);
    if (policy == CachePolicy.BYPASS) {
      return model.apply(listener);
    }
    String key = keyOf.get();
    if (policy == CachePolicy.USE) {
      Optional<LlmResponse> cached = cache.get(key);
      if (cached.isPresent()) {
        return ReplayedStream.replay(cached.get(), listener);
      }
    }
    StoringStreamListener storing = new StoringStreamListener(listener, r -> store(key, r));
    return storing.attach(model.apply(storing));
  }

  /**
   * The caller's policy, or {@link CachePolicy#BYPASS} for an answer that would differ next time;
   * counts every call that does not read the cache.
   */
  private CachePolicy policy(GenerationOptions options) {
    CachePolicy policy = CacheScope.current();
    if (policy == CachePolicy.USE && !cacheNondeterministic && !options.isDeterministic()) {
      metrics.skipped(cache.type(), "nondeterministic");
      return CachePolicy.BYPASS;
    }
    if (policy != CachePolicy.USE) {
      metrics.skipped(cache.type(), policy.skipReason());
    }
    return policy;
  }

  private void store(String key, LlmResponse response) {
    if (!UNCACHEABLE_DONE_REASONS.contains(response.doneReason())) {
      cache.put(key, response);
    }
  }

  @Override
  public String toString() {
    return "CachingLlmClient[" + cache.type() + " over " + delegate + "]";
  }
}
