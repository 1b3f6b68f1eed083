package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An answer kept by the proxy's response cache: its content type, how its body is framed, and the
 * body's bytes exactly as the backend sent them. Only {@code 200} answers are kept, so the status
 * is not stored.
 *
 * <p>Stored in Redis as {@link #encode()}: a version byte, the framing, the content type (length
 * and UTF-8), then the body.
 */
record CachedAnswer(String contentType, Framing framing, byte[] body) {
  private static final byte VERSION = 1;
  private static final int MAX_CONTENT_TYPE = 1024;

  /** How a replay cuts the body into the pieces it flushes one by one. */
  enum Framing {
    /** One whole body with its length. */
    WHOLE,
    /** Newline-delimited JSON: a flush after each line (Ollama's native streams). */
    NDJSON,
    /** Server-sent events: a flush after each event's blank line ({@code /v1} streams). */
    SSE;

    /** The framing of a 200 answer of {@code contentType}. */
    static Framing of(String contentType) {
      String type = contentType.toLowerCase(Locale.ROOT);
      if (type.startsWith("application/x-ndjson")) {
        return NDJSON;
      }
      if (type.startsWith("text/event-stream")) {
        return SSE;
      }
      return WHOLE;
    }
  }

  CachedAnswer {
    requireNonNull(contentType, "contentType is null");
    requireNonNull(framing, "framing is null");
    requireNonNull(body, "body is null");
  }

  /** Bytes held: what the memory store weighs an entry by. */
  int size() {
    return body.length + contentType.length();
  }

  byte[] encode() {
    byte[] type = contentType.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(1 + 1 + 2 + type.length + body.length);
    out.put(VERSION).put((byte) framing.ordinal()).putShort((short) type.length);
    out.put(type).put(body);
    return out.array();
  }

  /** An answer from {@link #encode()}'s bytes; IllegalArgumentException when they are not one. */
  static CachedAnswer decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < 4 || in.get() != VERSION) {
      throw new IllegalArgumentException("not a cached answer of version " + VERSION);
    }
    int framing = in.get();
    int typeLength = in.getShort() & 0xffff;
    if (framing < 0
        || framing >= Framing.values().length
        || typeLength > MAX_CONTENT_TYPE
        || typeLength > in.remaining()) {
      throw new IllegalArgumentException("damaged cached answer");
    }
    byte[] type = new byte[typeLength];
    in.get(type);
    byte[] body = new byte[in.remaining()];
    in.get(body);
    return new CachedAnswer(
        new String(type, StandardCharsets.UTF_8), Framing.values()[framing], body);
  }
}
