package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.executor.expression.Expression;

/**
 * A directed edge; {@code condition} (may be {@code null}) is an expression over the payload.
 * Conditional edges that hold are taken before unconditional ones, by weight then file order.
 */
public record EdgeDefinition(
    String from, String to, double weight, String condition, SourceLocation location) {
  public EdgeDefinition {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    requireNonNull(location, "location is null");
  }

  Expression compiledCondition() {
    return condition == null ? null : Expressions.compile(condition);
  }
}
