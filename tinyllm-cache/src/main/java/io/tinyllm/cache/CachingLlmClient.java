package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *   <li>Single flight: while a non-streamed miss is asking the model, identical non-streamed misses
 *       in this process wait for its answer instead of asking too and return the same response
 *       (counted in {@code tinyllm_cache_coalesced_total}, as is a waiter interrupted while it
 *       waits: neither reached the model). If that call fails, each waiter asks the model itself,
 *       once: the failure may be the first caller's own (cancelled, its timeout), and a failing
 *       server is met by the model client's retries and breaker as for any call. Streamed misses
 *       are not coalesced (a stream's caller wants tokens as they come). Replicas sharing Redis do
 *       not coordinate: each may ask once per key.
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
  private final Map<String, Flight> inFlight = new ConcurrentHashMap<>();
  private final Object waiterArrived = new Object();

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
    if (policy != CachePolicy.USE) {
      // a refresh asks for a new answer, not one already being fetched
      LlmResponse response = model.get();
      store(key, response);
      return response;
    }
    Optional<LlmResponse> cached = cache.get(key);
    if (cached.isPresent()) {
      return cached.get().fromCache();
    }
    Flight mine = new Flight();
    Flight leader = inFlight.putIfAbsent(key, mine);
    if (leader != null) {
      Optional<LlmResponse> shared;
      try {
        shared = leader.await();
      } catch (CancelledException e) {
        // it never reached the model either
        metrics.coalesced(cache.type());
        throw e;
      }
      if (shared.isPresent()) {
        metrics.coalesced(cache.type());
        return shared.get();
      }
      LlmResponse response = model.get();
      store(key, response);
      return response;
    }
    try {
      LlmResponse response = model.get();
      // stored before the key leaves inFlight, so a newcomer finds one or the other
      store(key, response);
      mine.answer.complete(response);
      return response;
    } catch (RuntimeException | Error e) {
      mine.answer.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /** Callers waiting for an identical request's model call now (for tests). */
  int waitingCallers() {
    return inFlight.values().stream().mapToInt(flight -> flight.waiting.get()).sum();
  }

  /**
   * Waits until at least {@code count} callers wait for identical requests' calls, at most {@code
   * timeout} (for tests); woken by each caller that starts waiting.
   */
  boolean awaitWaitingCallers(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (waiterArrived) {
      while (waitingCallers() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        waiterArrived.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  /** One model call in flight and the callers waiting for it. */
  private final class Flight {
    final CompletableFuture<LlmResponse> answer = new CompletableFuture<>();
    final AtomicInteger waiting = new AtomicInteger();

    /** The answer, or empty if the call failed; an interrupt cancels this waiter only. */
    Optional<LlmResponse> await() {
      waiting.incrementAndGet();
      // only a caller that found a call in flight gets here: the rare path, not every request
      synchronized (waiterArrived) {
        waiterArrived.notifyAll();
      }
      try {
        return Optional.of(answer.get());
      } catch (ExecutionException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("Interrupted while waiting for an identical request", e);
      } finally {
        waiting.decrementAndGet();
      }
    }
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
        return ReplayedStream.replay(cached.get().fromCache(), listener);
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
