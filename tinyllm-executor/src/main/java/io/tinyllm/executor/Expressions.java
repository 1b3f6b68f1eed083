package io.tinyllm.executor;

import io.tinyllm.executor.expression.Expression;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Compiled expressions, cached by source text (graphs reuse few distinct conditions). */
final class Expressions {
  private static final int MAX_CACHED = 1_000;
  private static final Map<String, Expression> CACHE = new ConcurrentHashMap<>();

  private Expressions() {}

  static Expression compile(String source) {
    Expression cached = CACHE.get(source);
    if (cached != null) {
      return cached;
    }
    Expression compiled = Expression.parse(source);
    if (CACHE.size() < MAX_CACHED) {
      CACHE.put(source, compiled);
    }
    return compiled;
  }
}
