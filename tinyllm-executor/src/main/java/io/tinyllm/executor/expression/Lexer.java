package io.tinyllm.executor.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Splits an expression into tokens. */
final class Lexer {
  private static final Set<String> WORD_OPERATORS =
      Set.of("contains", "startsWith", "endsWith", "matches");

  private final String source;
  private int i;

  Lexer(String source) {
    this.source = source;
  }

  List<Token> tokens() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      while (i < source.length() && Character.isWhitespace(source.charAt(i))) {
        i++;
      }
      if (i >= source.length()) {
        tokens.add(new Token(Token.Kind.END, "", i + 1));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private Token next() {
    int start = i;
    char c = source.charAt(i);
    if (c == '\'' || c == '"') {
      return string(c);
    }
    if (Character.isDigit(c) || (c == '-' && i + 1 < source.length() && isDigit(i + 1))) {
      i++;
      while (i < source.length() && (isDigit(i) || source.charAt(i) == '.')) {
        i++;
      }
      String text = source.substring(start, i);
      try {
        Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new ExpressionException("Invalid number '" + text + "' at column " + (start + 1));
      }
      return new Token(Token.Kind.NUMBER, text, start + 1);
    }
    if (Character.isLetter(c) || c == '_') {
      while (i < source.length()
          && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
        i++;
      }
      String word = source.substring(start, i);
      Token.Kind kind = WORD_OPERATORS.contains(word) ? Token.Kind.OPERATOR : Token.Kind.IDENT;
      return new Token(kind, word, start + 1);
    }
    for (String op : List.of("==", "!=", "<=", ">=", "&&", "||")) {
      if (source.startsWith(op, i)) {
        i += 2;
        return new Token(Token.Kind.OPERATOR, op, start + 1);
      }
    }
    if ("<>!().[]".indexOf(c) >= 0) {
      i++;
      return new Token(Token.Kind.OPERATOR, String.valueOf(c), start + 1);
    }
    throw new ExpressionException(
        "Unexpected character '" + c + "' at column " + (start + 1) + " in: " + source);
  }

  private boolean isDigit(int index) {
    return Character.isDigit(source.charAt(index));
  }

  private Token string(char quote) {
    int start = i++;
    StringBuilder text = new StringBuilder();
    while (i < source.length()) {
      char c = source.charAt(i++);
      if (c == quote) {
        return new Token(Token.Kind.STRING, text.toString(), start + 1);
      }
      if (c == '\\' && i < source.length()) {
        char escaped = source.charAt(i++);
        text.append(escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
      } else {
        text.append(c);
      }
    }
    throw new ExpressionException("Unterminated string starting at column " + (start + 1));
  }
}
