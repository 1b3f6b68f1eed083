package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Where the status lines of pull, push and create go: streamed as NDJSON (Ollama's {@code
 * streamResponse}), or, with {@code "stream": false}, kept until the end, when only the last one is
 * sent (Ollama's {@code waitForStream}). An error ends either: a line in the stream, or the answer
 * with its status (500 unless Ollama gives another).
 */
final class ProgressSink {
  private final ResponseStream out;
  private final ObjectMapper mapper;
  private final boolean stream;
  private ObjectNode latest;

  ProgressSink(ResponseStream out, ObjectMapper mapper, boolean stream) {
    this.out = requireNonNull(out, "out is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.stream = stream;
    this.latest = mapper.createObjectNode();
  }

  /**
   * Reports one status.
   *
   * @return false when an injected fault ended the answer; the caller must stop
   */
  boolean send(ObjectNode status) throws IOException {
    if (stream) {
      return out.line(status, false);
    }
    latest = status;
    return true;
  }

  /** Reports the status {@code text}. */
  boolean status(String text) throws IOException {
    return send(mapper.createObjectNode().put("status", text));
  }

  /** Ends with the final status {@code text}. */
  void finish(String text) throws IOException {
    ObjectNode last = mapper.createObjectNode().put("status", text);
    if (stream) {
      out.line(last, true);
    } else {
      out.progressWhole(200, last);
    }
  }

  /** Ends with an error. */
  void fail(int status, String message) throws IOException {
    if (stream) {
      out.streamError(status, message);
    } else {
      out.progressWhole(status, HttpIo.error(mapper, message));
    }
  }

  /** The last status reported so far (empty before any). */
  ObjectNode latest() {
    return latest;
  }
}
