package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads the JSON objects of an answer as its bytes pass through, without holding the answer: a
 * whole JSON answer, NDJSON chunks, or the payloads of SSE events. Jackson's non-blocking parser
 * takes each piece as it arrives (an object may span pieces, a piece may hold many objects) and
 * keeps only the token it is in; each finished top-level object is reported as {@link ChunkFacts}.
 *
 * <p>Bad JSON stops the reading for the rest of the answer ({@link #failed()}); the bytes are
 * forwarded all the same, since the proxy never changes what Ollama sent.
 */
final class JsonAnswerReader {
  private static final JsonFactory JSON = new JsonFactory();

  /** Deeper than anything read here: choices[i].delta.content is at depth 4. */
  private static final int MAX_TRACKED_DEPTH = 8;

  private final Consumer<ChunkFacts> onObject;
  private final ChunkFacts facts = new ChunkFacts();
  private final String[] names = new String[MAX_TRACKED_DEPTH + 1];
  private JsonParser parser;
  private ByteArrayFeeder feeder;
  private int depth;
  private boolean failed;

  JsonAnswerReader(Consumer<ChunkFacts> onObject) {
    this.onObject = requireNonNull(onObject, "onObject is null");
    try {
      parser = JSON.createNonBlockingByteArrayParser();
      feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    } catch (IOException e) {
      failed = true;
    }
    facts.clear();
  }

  /** Whether the answer was not JSON (or not the JSON expected), so reading stopped. */
  boolean failed() {
    return failed;
  }

  /** The next {@code length} bytes of the answer; {@code bytes} may be reused once this returns. */
  void feed(byte[] bytes, int offset, int length) {
    if (failed || length == 0) {
      return;
    }
    try {
      feeder.feedInput(bytes, offset, offset + length);
      drain();
    } catch (IOException | RuntimeException e) {
      failed = true;
    }
  }

  /**
   * The answer ended. Every complete object was reported as its last byte arrived; one cut short is
   * not malformed JSON but an answer that ended early, which the caller sees as no final chunk.
   */
  void end() {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException e) {
        // nothing held but memory
      }
    }
  }

  private void drain() throws IOException {
    JsonToken token;
    while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
      switch (token) {
        case START_OBJECT, START_ARRAY -> {
          if (depth == 0 && token == JsonToken.START_ARRAY) {
            failed = true; // no answer of Ollama is a top-level array
            return;
          }
          if (depth > 0) {
            container(names[Math.min(depth, MAX_TRACKED_DEPTH)]);
          }
          depth++;
          if (depth <= MAX_TRACKED_DEPTH) {
            names[depth] = null;
          }
        }
        case END_OBJECT, END_ARRAY -> {
          depth--;
          if (depth == 0) {
            onObject.accept(facts);
            facts.clear();
          }
        }
        case FIELD_NAME -> {
          if (depth <= MAX_TRACKED_DEPTH) {
            names[depth] = parser.currentName();
          }
        }
        default -> {
          if (depth <= MAX_TRACKED_DEPTH) {
            scalar(token);
          }
        }
      }
    }
  }

  /** An object or array starts as the value of field {@code name} at the current depth. */
  private void container(String name) {
    if ("error".equals(name) && depth == 1) {
      facts.error = true; // OpenAI's {"error": {"message": ...}}
    } else if ("tool_calls".equals(name) && inMessage()) {
      facts.output = true;
    }
  }

  private void scalar(JsonToken token) throws IOException {
    String name = names[depth];
    if (name == null) {
      return;
    }
    if (depth == 1) {
      root(name, token);
    } else if (depth == 2 && "message".equals(names[1])) {
      text(name, token);
    } else if (depth == 2 && "usage".equals(names[1]) && token.isNumeric()) {
      if ("prompt_tokens".equals(name)) {
        facts.usagePromptTokens = parser.getLongValue();
      } else if ("completion_tokens".equals(name)) {
        facts.usageCompletionTokens = parser.getLongValue();
      }
    } else if (depth == 3 && "choices".equals(names[1])) {
      if ("finish_reason".equals(name) && token == JsonToken.VALUE_STRING) {
        facts.finished = true;
      } else if ("text".equals(name)) {
        text(name, token);
      }
    } else if (depth == 4 && inMessage()) {
      text(name, token);
    }
  }

  /** Whether the current depth is a message: native {@code message}, OpenAI {@code delta}. */
  private boolean inMessage() {
    return (depth == 2 && "message".equals(names[1]))
        || (depth == 4
            && "choices".equals(names[1])
            && ("delta".equals(names[3]) || "message".equals(names[3])));
  }

  private void root(String name, JsonToken token) throws IOException {
    switch (name) {
      case "response", "thinking" -> text(name, token);
      case "done" -> facts.done = token == JsonToken.VALUE_TRUE;
      case "done_reason" -> facts.doneReason = token == JsonToken.VALUE_STRING ? text() : null;
      case "error" -> facts.error = token != JsonToken.VALUE_NULL;
      case "prompt_eval_count" -> facts.promptEvalCount = number(token);
      case "eval_count" -> facts.evalCount = number(token);
      case "total_duration" -> facts.totalDuration = number(token);
      case "load_duration" -> facts.loadDuration = number(token);
      case "prompt_eval_duration" -> facts.promptEvalDuration = number(token);
      case "eval_duration" -> facts.evalDuration = number(token);
      default -> {}
    }
  }

  /** Generated text (answer, thinking, reasoning, completion text) counts when not empty. */
  private void text(String name, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      return;
    }
    switch (name) {
      case "response", "thinking", "content", "reasoning", "reasoning_content", "text" -> {
        if (parser.getTextLength() > 0) {
          facts.output = true;
        }
      }
      default -> {}
    }
  }

  private String text() throws IOException {
    return parser.getText();
  }

  private long number(JsonToken token) throws IOException {
    return token == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : -1;
  }
}
