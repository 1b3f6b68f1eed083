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
  void backtrackingPatternsFinishInLinearTime() {
    // java.util.regex needed exponential time here; RE2/J answers at once
    Expression e = Expression.parse("text matches '(a+)+$'");
    assertThat(e.test(Map.of("text", "a".repeat(9_999) + "b"))).isFalse();
    assertThat(e.test(Map.of("text", "a".repeat(10_000)))).isTrue();
    assertThat(Expression.parse("text matches '(a+)+b'").test(Map.of("text", "a".repeat(5_000))))
        .isFalse();
  }

  @Test
  void unsupportedSyntaxIsRejectedWhenParsed() {
    String pattern = "(|)".repeat(80) + "(?!)";
    assertThatThrownBy(() -> Expression.parse("text matches '" + pattern + "'"))
        .isInstanceOf(ExpressionException.class)
        .hasMessage(
            "Invalid pattern at column 14: pattern '"
                + pattern
                + "' uses unsupported syntax: lookahead `(?!` (patterns use RE2 syntax: no"
                + " lookaround, backreferences, possessive quantifiers or atomic groups)");
    assertThatThrownBy(() -> Expression.parse("text matches '(a)\\\\1'"))
        .hasMessageContaining("pattern '(a)\\1' uses unsupported syntax: backreference `\\1`");
    assertThatThrownBy(() -> Expression.parse("text matches '(?<=a)b'"))
        .hasMessageContaining("unsupported syntax: lookbehind `(?<=a)b`");
    assertThatThrownBy(() -> Expression.parse("text matches 'a*+'"))
        .hasMessageContaining("unsupported syntax: possessive quantifier `*+`");
    assertThatThrownBy(() -> Expression.parse("text matches '(?>a)'"))
        .hasMessageContaining("unsupported syntax: atomic group `(?>`");
    assertThatThrownBy(() -> Expression.parse("text matches '(a'"))
        .hasMessage(
            "Invalid pattern at column 14: pattern '(a' is invalid: missing closing ): `(a`");
  }

  @Test
  void patternsThatExpandTooFarAreRejectedWhenParsed() {
    // RE2/J would exhaust the heap expanding this; the estimate refuses it before compiling
    assertThatThrownBy(() -> Expression.parse("text matches '((a{1000}){1000}){1000}'"))
        .hasMessageContaining("compiles to more than 10000 instructions; the limit is 1000");
    assertThatThrownBy(() -> Expression.parse("text matches '[a-z]{1,1000}'"))
        .hasMessageContaining("compiles to 2001 instructions; the limit is 1000");
    assertThat(Expression.parse("text matches '^[a-z]{1,400}$'").test(Map.of("text", "abc")))
        .isTrue();
  }

  @Test
  void matchesRefusesInputBeyondTheLimitInsteadOfTruncatingIt() {
    Expression e = Expression.parse("text matches 'b$'");
    assertThat(e.test(Map.of("text", "a".repeat(9_999) + "b"))).isTrue();
    // before, only the first 10 000 characters were searched, so this was silently false
    assertThatThrownBy(() -> e.test(Map.of("text", "a".repeat(10_000) + "b")))
        .isInstanceOf(ExpressionException.class)
        .hasMessage(
            "input is 10001 characters long; matches takes at most 10000 (truncate the text"
                + " first)");
  }

  @Test
  void nestingIsBounded() {
    assertThatThrownBy(() -> Expression.parse("(".repeat(40) + "true" + ")".repeat(40)))
        .hasMessageContaining("deeper than 32");
  }
}
