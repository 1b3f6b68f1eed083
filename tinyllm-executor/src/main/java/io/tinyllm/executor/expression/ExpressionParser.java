package io.tinyllm.executor.expression;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser of the expression grammar (see {@code docs/executor.md}).
 *
 * <pre>
 * expr       := and ( '||' and )*
 * and        := unary ( '&amp;&amp;' unary )*
 * unary      := '!' unary | comparison
 * comparison := primary ( op primary )?
 * op         := '==' | '!=' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' | 'contains' | 'startsWith'
 *             | 'endsWith' | 'matches'
 * primary    := NUMBER | STRING | 'true' | 'false' | 'null' | path | '(' expr ')'
 * path       := IDENT ( '.' IDENT | '[' INTEGER ']' )*
 * </pre>
 */
final class ExpressionParser {
  static final int MAX_LENGTH = 2_000;
  static final int MAX_DEPTH = 32;
  static final int MAX_PATTERN_LENGTH = BoundedMatcher.MAX_PATTERN;
  private static final java.util.Set<String> COMPARISONS =
      java.util.Set.of(
          "==", "!=", "<", "<=", ">", ">=", "contains", "startsWith", "endsWith", "matches");

  private final String source;
  private final List<Token> tokens;
  private int position;
  private int depth;

  ExpressionParser(String source) {
    this.source = requireNonNull(source, "source is null");
    if (source.length() > MAX_LENGTH) {
      throw new ExpressionException(
          "Expression is " + source.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    this.tokens = new Lexer(source).tokens();
  }

  Expression parse() {
    if (peek().kind() == Token.Kind.END) {
      throw error(peek(), "an expression");
    }
    Expression result = or();
    if (peek().kind() != Token.Kind.END) {
      throw error(peek(), "an operator or the end");
    }
    return result;
  }

  private Expression or() {
    Expression left = and();
    while (accept("||")) {
      Expression l = left;
      Expression r = and();
      left = p -> Values.truthy(l.evaluate(p)) || Values.truthy(r.evaluate(p));
    }
    return left;
  }

  private Expression and() {
    Expression left = unary();
    while (accept("&&")) {
      Expression l = left;
      Expression r = unary();
      left = p -> Values.truthy(l.evaluate(p)) && Values.truthy(r.evaluate(p));
    }
    return left;
  }

  private Expression unary() {
    if (accept("!")) {
      enter();
      Expression operand = unary();
      depth--;
      return p -> !Values.truthy(operand.evaluate(p));
    }
    return comparison();
  }

  private Expression comparison() {
    Expression left = primary();
    Token op = peek();
    if (op.kind() != Token.Kind.OPERATOR || !COMPARISONS.contains(op.text())) {
      return left;
    }
    position++;
    if (op.text().equals("matches")) {
      Token literal = peek();
      if (literal.kind() != Token.Kind.STRING) {
        throw error(literal, "a string literal pattern after 'matches'");
      }
      position++;
      return matches(left, literal);
    }
    Expression right = primary();
    return switch (op.text()) {
      case "==" -> p -> Values.equal(left.evaluate(p), right.evaluate(p));
      case "!=" -> p -> !Values.equal(left.evaluate(p), right.evaluate(p));
      case "<" -> p -> ordered(left, right, p, c -> c < 0);
      case "<=" -> p -> ordered(left, right, p, c -> c <= 0);
      case ">" -> p -> ordered(left, right, p, c -> c > 0);
      case ">=" -> p -> ordered(left, right, p, c -> c >= 0);
      case "contains" -> p -> contains(left.evaluate(p), right.evaluate(p));
      case "startsWith" -> p -> textOf(left, p).startsWith(textOf(right, p));
      case "endsWith" -> p -> textOf(left, p).endsWith(textOf(right, p));
      default -> throw error(op, "a comparison operator");
    };
  }

  private Expression matches(Expression left, Token literal) {
    if (literal.text().length() > MAX_PATTERN_LENGTH) {
      throw new ExpressionException(
          "Pattern at column " + literal.column() + " is longer than " + MAX_PATTERN_LENGTH);
    }
    Pattern pattern;
    try {
      pattern = BoundedMatcher.compile(literal.text());
    } catch (ExpressionException e) {
      throw new ExpressionException(
          "Invalid pattern at column " + literal.column() + ": " + e.getMessage());
    }
    return p -> BoundedMatcher.find(pattern, textOf(left, p));
  }

  private Expression primary() {
    Token token = peek();
    position++;
    switch (token.kind()) {
      case NUMBER:
        Object number = number(token.text());
        return p -> number;
      case STRING:
        String text = token.text();
        return p -> text;
      case IDENT:
        return switch (token.text()) {
          case "true" -> p -> Boolean.TRUE;
          case "false" -> p -> Boolean.FALSE;
          case "null" -> p -> null;
          default -> path(token);
        };
      case OPERATOR:
        if (token.text().equals("(")) {
          enter();
          Expression inner = or();
          depth--;
          expect(")");
          return inner;
        }
        throw error(token, "a value");
      default:
        throw error(token, "a value");
    }
  }

  /** A double, or an exact {@link java.math.BigDecimal} for an integer beyond 2^53. */
  private static Object number(String text) {
    if (text.contains(".") || text.contains("e") || text.contains("E")) {
      return Double.valueOf(text);
    }
    return Values.normalize(new java.math.BigInteger(text));
  }

  private Expression path(Token first) {
    List<Object> steps = new java.util.ArrayList<>();
    steps.add(first.text());
    while (true) {
      if (accept(".")) {
        Token name = peek();
        if (name.kind() != Token.Kind.IDENT) {
          throw error(name, "a field name after '.'");
        }
        position++;
        steps.add(name.text());
      } else if (accept("[")) {
        Token index = peek();
        if (index.kind() != Token.Kind.NUMBER || index.text().contains(".")) {
          throw error(index, "a list index");
        }
        position++;
        steps.add(Integer.valueOf(index.text()));
        expect("]");
      } else {
        break;
      }
    }
    List<Object> path = List.copyOf(steps);
    return p -> resolve(p, path);
  }

  private static Object resolve(Map<String, ?> payload, List<Object> path) {
    Object current = payload;
    for (Object step : path) {
      if (step instanceof String name && current instanceof Map<?, ?> map) {
        current = map.get(name);
      } else if (step instanceof Integer index
          && current instanceof List<?> list
          && index < list.size()) {
        current = list.get(index);
      } else {
        return null;
      }
    }
    return Values.normalize(current);
  }

  private static boolean ordered(
      Expression left,
      Expression right,
      Map<String, ?> payload,
      java.util.function.IntPredicate test) {
    Integer c = Values.compare(left.evaluate(payload), right.evaluate(payload));
    return c != null && test.test(c);
  }

  private static boolean contains(Object haystack, Object needle) {
    if (haystack instanceof List<?> list) {
      return list.stream().anyMatch(item -> Values.equal(item, needle));
    }
    if (haystack instanceof Map<?, ?> map) {
      return map.containsKey(Values.text(needle));
    }
    return haystack != null && Values.text(haystack).contains(Values.text(needle));
  }

  private static String textOf(Expression e, Map<String, ?> payload) {
    return Values.text(e.evaluate(payload));
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw new ExpressionException("Expression nests deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Token peek() {
    return tokens.get(position);
  }

  private boolean accept(String operator) {
    Token token = peek();
    if (token.kind() == Token.Kind.OPERATOR && token.text().equals(operator)) {
      position++;
      return true;
    }
    return false;
  }

  private void expect(String operator) {
    if (!accept(operator)) {
      throw error(peek(), "'" + operator + "'");
    }
  }

  private ExpressionException error(Token token, String expected) {
    String found = token.kind() == Token.Kind.END ? "the end" : "'" + token.text() + "'";
    return new ExpressionException(
        "Expected "
            + expected
            + " at column "
            + token.column()
            + " but found "
            + found
            + " in: "
            + source);
  }
}
