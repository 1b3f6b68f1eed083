package io.tinyllm.cache;

/**
 * What the caching client does with one call; chosen per call with {@link CacheScope}.
 *
 * <ul>
 *   <li>{@link #USE}: serve a stored answer, else ask the model and store its answer.
 *   <li>{@link #BYPASS}: ask the model; neither read nor write the cache.
 *   <li>{@link #REFRESH}: ask the model and store its answer over any stored one.
 * </ul>
 */
public enum CachePolicy {
  USE,
  BYPASS,
  REFRESH;

  /** The {@code reason} label of {@code tinyllm_cache_skips_total} for this policy. */
  String skipReason() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
