package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.ollama.Chunk;
import io.tinyllm.ollama.ChunkReader;
import java.util.function.Consumer;

/**
 * Reads the JSON objects of an answer as its bytes pass through, without holding the answer: a
 * whole JSON answer, NDJSON chunks, or the payloads of SSE events. The client's own {@link
 * ChunkReader} takes each piece as it arrives (an object may span pieces, a piece may hold many
 * objects); each finished top-level object is reported as a {@link Chunk}.
 *
 * <p>Bad JSON stops the reading for the rest of the answer ({@link #failed()}); the bytes are
 * forwarded all the same, since the proxy never changes what Ollama sent.
 */
final class JsonAnswerReader {
  private final Consumer<Chunk> onObject;
  private final ChunkReader reader = ChunkReader.forMetrics();
  private boolean failed;

  JsonAnswerReader(Consumer<Chunk> onObject) {
    this.onObject = requireNonNull(onObject, "onObject is null");
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
      reader.feed(bytes, offset, length);
      for (Chunk chunk; (chunk = reader.next()) != null; ) {
        onObject.accept(chunk);
      }
    } catch (RuntimeException e) {
      failed = true;
    }
  }

  /**
   * The answer ended. Every complete object was reported as its last byte arrived; one cut short is
   * not malformed JSON but an answer that ended early, which the caller sees as no final chunk.
   */
  void end() {
    // nothing is held but the parser's buffers, which go with this reader
  }
}
