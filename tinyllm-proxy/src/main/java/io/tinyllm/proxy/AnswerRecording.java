package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;

/**
 * The bytes of a backend's answer as they pass to the client, kept for the proxy's response cache
 * when the answer ends whole and successful. An answer past {@code maxBytes} is dropped at once and
 * never kept, so a recording holds at most that much.
 */
final class AnswerRecording {
  private final ProxyCache cache;
  private final String key;
  private final String contentType;
  private final int maxBytes;
  private ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  AnswerRecording(ProxyCache cache, String key, String contentType, int maxBytes) {
    this.cache = requireNonNull(cache, "cache is null");
    this.key = requireNonNull(key, "key is null");
    this.contentType = requireNonNull(contentType, "contentType is null");
    this.maxBytes = maxBytes;
  }

  /** {@code length} more bytes of the answer passed to the client. */
  void feed(byte[] piece, int length) {
    if (bytes == null) {
      return;
    }
    if (bytes.size() + (long) length > maxBytes) {
      bytes = null; // too large to keep: stop holding it
      return;
    }
    bytes.write(piece, 0, length);
  }

  /** The answer ended; kept when {@code succeeded} (whole, no error) and not too large. */
  void finish(boolean succeeded) {
    if (succeeded && bytes != null) {
      cache.store(
          key,
          new CachedAnswer(contentType, CachedAnswer.Framing.of(contentType), bytes.toByteArray()));
    }
    bytes = null;
  }
}
