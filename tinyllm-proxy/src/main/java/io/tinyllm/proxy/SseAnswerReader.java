package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

/**
 * Reads a server-sent-event answer (Ollama's OpenAI-compatible streams) as it passes through: the
 * payload of every {@code data:} line goes to a {@link JsonAnswerReader}, except {@code [DONE]},
 * which only marks the end. Other lines (comments, {@code event:}, {@code id:}, blank separators)
 * are skipped. Works byte by byte, so a line split across pieces needs no buffer.
 */
final class SseAnswerReader {
  private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
  private static final byte[] NEWLINE = {'\n'};

  private enum State {
    /** Matching {@code data:} at the start of a line. */
    PREFIX,
    /** After {@code data:}, before the payload's first character. */
    PAYLOAD_START,
    /** Inside a JSON payload: bytes go to the JSON reader. */
    JSON,
    /** Skipping to the end of the line. */
    SKIP
  }

  private final JsonAnswerReader json;
  private State state = State.PREFIX;
  private int matched;
  private boolean doneMarker;

  SseAnswerReader(JsonAnswerReader json) {
    this.json = requireNonNull(json, "json is null");
  }

  /** Whether a {@code data: [DONE]} line went by. */
  boolean doneMarker() {
    return doneMarker;
  }

  void feed(byte[] bytes, int offset, int length) {
    int jsonStart = -1;
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      switch (state) {
        case PREFIX -> {
          if (b == '\n') {
            matched = 0;
          } else if (b == DATA[matched]) {
            matched++;
            if (matched == DATA.length) {
              state = State.PAYLOAD_START;
            }
          } else {
            state = State.SKIP;
          }
        }
        case PAYLOAD_START -> {
          if (b == '\n') {
            lineEnded();
          } else if (b == '[') {
            doneMarker = true; // [DONE]: the only non-object payload of these streams
            state = State.SKIP;
          } else if (b != ' ') {
            state = State.JSON;
            jsonStart = i;
          }
        }
        case JSON -> {
          if (jsonStart < 0) {
            jsonStart = i;
          }
          if (b == '\n') {
            json.feed(bytes, jsonStart, i + 1 - jsonStart);
            jsonStart = -1;
            lineEnded();
          }
        }
        case SKIP -> {
          if (b == '\n') {
            lineEnded();
          }
        }
      }
    }
    if (state == State.JSON && jsonStart >= 0) {
      json.feed(bytes, jsonStart, end - jsonStart);
    }
  }

  /** The answer ended; a last payload without its newline is finished. */
  void end() {
    if (state == State.JSON) {
      json.feed(NEWLINE, 0, 1);
    }
    json.end();
  }

  private void lineEnded() {
    state = State.PREFIX;
    matched = 0;
  }
}
