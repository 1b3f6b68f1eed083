package io.tinyllm.executor.expression;

import java.util.Map;

/**
 * A compiled condition of the safe expression language: comparisons, {@code &&}, {@code ||}, {@code
 * !}, {@code contains}, {@code startsWith}, {@code endsWith}, {@code matches}, string and number
 * literals and field access into the payload. It can read the payload and nothing else: no method
 * calls, no assignments, no class access.
 *
 * <pre>{@code
 * Expression e = Expression.parse("route == 'math' && json.score >= 0.5");
 * boolean go = e.test(Map.of("route", "math", "json", Map.of("score", 0.9)));
 * }</pre>
 */
public interface Expression {
  /**
   * The value of this expression over {@code payload}: a String, Double, Boolean, Map, List or
   * null.
   */
  Object evaluate(Map<String, ?> payload);

  /** The truth of this expression over {@code payload} (see {@link Values#truthy}). */
  default boolean test(Map<String, ?> payload) {
    return Values.truthy(evaluate(payload));
  }

  /** Compiles {@code source}, failing with an {@link ExpressionException} that names the column. */
  static Expression parse(String source) {
    return new ExpressionParser(source).parse();
  }
}
