package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One call's look into the proxy's response cache: a hit is replayed to the client; a miss may
 * record the backend's answer for the next identical call.
 */
final class CacheLookup {
  /** Says which answers came from the proxy's cache (RFC 9211 {@code Cache-Status}). */
  static final String CACHE_STATUS = "Cache-Status";

  static final String HIT = "tinyllm-proxy; hit";

  private final ProxyCache cache;
  private final String key;
  private final CachedAnswer answer;

  CacheLookup(ProxyCache cache, String key, CachedAnswer answer) {
    this.cache = requireNonNull(cache, "cache is null");
    this.key = requireNonNull(key, "key is null");
    this.answer = answer;
  }

  boolean hit() {
    return answer != null;
  }

  /**
   * Answers the client with the stored answer, recorded as a call {@code recorder} ends when its
   * last piece goes out (so a client that scrapes right after its answer sees it counted) and as an
   * exchange of {@code path} in the proxy's families; a client that goes away cancels the call, and
   * the {@link IOException} propagates (the server then drops the connection).
   */
  void replay(ProxyExchange exchange, String path, CallRecorder recorder, ProxyMetrics metrics)
      throws IOException {
    metrics.answered(path, 200);
    try {
      replay(exchange, recorder::answeredFromCache);
    } catch (IOException e) {
      metrics.clientDisconnected(path);
      recorder.cancelled();
      throw e;
    }
  }

  /**
   * Writes the stored answer: a whole body with its length, a stream piece by piece (a line of
   * NDJSON, an event of SSE) with a flush after each, as the backend sent it. {@code
   * beforeLastPiece} runs before the last piece is written.
   */
  void replay(ProxyExchange exchange, Runnable beforeLastPiece) throws IOException {
    exchange.setResponseHeader("Content-Type", answer.contentType());
    exchange.setResponseHeader(CACHE_STATUS, HIT);
    byte[] body = answer.body();
    boolean whole = answer.framing() == CachedAnswer.Framing.WHOLE;
    if (body.length == 0) {
      beforeLastPiece.run();
      exchange.respond(200, whole ? ProxyExchange.NO_BODY : ProxyExchange.CHUNKED, out -> {});
      return;
    }
    exchange.respond(
        200,
        whole ? body.length : ProxyExchange.CHUNKED,
        out -> writePieces(body, whole, beforeLastPiece, out));
  }

  private void writePieces(byte[] body, boolean whole, Runnable beforeLastPiece, OutputStream out)
      throws IOException {
    int start = 0;
    while (start < body.length) {
      int end = whole ? body.length : pieceEnd(body, start, answer.framing());
      if (end == body.length) {
        beforeLastPiece.run();
      }
      out.write(body, start, end - start);
      out.flush();
      start = end;
    }
  }

  /**
   * The end of the piece starting at {@code start}: after its newline, or its event's blank line.
   */
  static int pieceEnd(byte[] body, int start, CachedAnswer.Framing framing) {
    for (int i = start; i < body.length; i++) {
      if (body[i] != '\n') {
        continue;
      }
      if (framing == CachedAnswer.Framing.NDJSON) {
        return i + 1;
      }
      // SSE: an event ends at an empty line ("\n\n" or "\n\r\n")
      if (i + 1 < body.length && body[i + 1] == '\n') {
        return i + 2;
      }
      if (i + 2 < body.length && body[i + 1] == '\r' && body[i + 2] == '\n') {
        return i + 3;
      }
    }
    return body.length;
  }

  /**
   * A recording of the backend's answer of {@code status} and {@code contentType}, or null when it
   * cannot be kept (only 200 answers are).
   */
  AnswerRecording recording(int status, String contentType) {
    if (status != 200 || contentType == null) {
      return null;
    }
    return new AnswerRecording(cache, key, contentType, cache.maxEntryBytes());
  }
}
