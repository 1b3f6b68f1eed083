package io.tinyllm.executor.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionTest {
  private static final Map<String, Object> PAYLOAD =
      Map.of(
          "text", "The answer is 42",
          "route", "math",
          "json", Map.of("score", 0.75, "tags", List.of("a", "b"), "ok", true));

  private static boolean test(String source) {
    return Expression.parse(source).test(PAYLOAD);
  }

  @Test
  void comparesNumbersStringsAndBooleans() {
    assertThat(test("route == 'math'")).isTrue();
    assertThat(test("route != \"math\"")).isFalse();
    assertThat(test("json.score >= 0.5 && json.score < 1")).isTrue();
    assertThat(test("json.ok == true")).isTrue();
    assertThat(test("json.missing == null")).isTrue();
    assertThat(test("json.tags[1] == 'b'")).isTrue();
    assertThat(test("-1 < 0")).isTrue();
  }

  @Test
  void logicAndPrecedence() {
    assertThat(test("!(route == 'code') && (json.ok || false)")).isTrue();
    assertThat(test("false || route == 'math' && json.score > 1")).isFalse();
    assertThat(test("json.ok")).isTrue();
    assertThat(test("!json.missing")).isTrue();
  }

  @Test
  void textOperators() {
    assertThat(test("text contains '42'")).isTrue();
    assertThat(test("json.tags contains 'a'")).isTrue();
    assertThat(test("text startsWith 'The'")).isTrue();
    assertThat(test("text endsWith '42'")).isTrue();
    assertThat(test("text matches '\\\\d+'")).isTrue();
    assertThat(test("text matches '^\\\\d+$'")).isFalse();
  }

  @Test
  void errorsNameTheColumn() {
    assertThatThrownBy(() -> Expression.parse("route == "))
        .hasMessage("Expected a value at column 10 but found the end in: route == ");
    assertThatThrownBy(() -> Expression.parse("a = b")).hasMessageContaining("column 3");
    assertThatThrownBy(() -> Expression.parse("text matches route"))
        .hasMessageContaining("string literal pattern");
    assertThatThrownBy(() -> Expression.parse("x.getClass()")).hasMessageContaining("column 11");
  }

  @Test
  void catastrophicPatternsAreBounded() {
    Expression e = Expression.parse("text matches '(a+)+b'");
    assertThatThrownBy(() -> e.test(Map.of("text", "a".repeat(5_000))))
        .isInstanceOf(ExpressionException.class)
        .hasMessageContaining("simplify it");
  }

  @Test
  void nestingIsBounded() {
    assertThatThrownBy(() -> Expression.parse("(".repeat(40) + "true" + ")".repeat(40)))
        .hasMessageContaining("deeper than 32");
  }
}
