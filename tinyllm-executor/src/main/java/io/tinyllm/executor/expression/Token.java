package io.tinyllm.executor.expression;

/** A lexical token; {@code column} counts from 1. */
record Token(Kind kind, String text, int column) {
  enum Kind {
    NUMBER,
    STRING,
    IDENT,
    OPERATOR,
    END
  }
}
