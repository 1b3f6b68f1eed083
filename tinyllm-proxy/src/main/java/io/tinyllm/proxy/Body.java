package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * A request's body on its way upstream: none, held whole (read by {@link RequestPeek}, so it can go
 * to a second backend after the first failed), or streaming through as it arrives (once only).
 */
final class Body {
  private final byte[] bytes;
  private final int length;
  private final FromClient stream;
  private final long declaredLength;

  private Body(byte[] bytes, int length, InputStream stream, long declaredLength) {
    this.bytes = bytes;
    this.length = length;
    this.stream = stream == null ? null : new FromClient(stream);
    this.declaredLength = declaredLength;
  }

  /**
   * The body of a request that {@code hasBody} of {@code declaredLength} bytes (-1: not said), of
   * which {@code peek} (or null) read the start from {@code rest}.
   */
  static Body of(boolean hasBody, long declaredLength, RequestPeek peek, InputStream rest) {
    requireNonNull(rest, "rest is null");
    if (!hasBody) {
      return new Body(new byte[0], 0, null, 0);
    }
    if (peek != null && peek.whole()) {
      return new Body(peek.head(), peek.length(), null, peek.length());
    }
    return new Body(null, 0, peek == null ? rest : peek.body(rest), declaredLength);
  }

  /** Whether the body can be sent again: it is held whole. */
  boolean replayable() {
    return stream == null;
  }

  /**
   * Whether reading the rest of the body from the client failed (the client reset, or sent a broken
   * chunk): an upstream request that failed then failed for the client's sake, not the backend's.
   */
  boolean brokenOffByClient() {
    return stream != null && stream.failed;
  }

  /**
   * The body as the upstream request's entity: held bytes are sent with their length, a stream with
   * the length the client declared or else chunked. Null when there is none, unless {@code
   * saysEmpty} (the method says {@code Content-Length: 0} for an empty body).
   */
  HttpEntity entity(boolean saysEmpty) {
    if (stream == null) {
      return length == 0 && !saysEmpty ? null : new ByteArrayEntity(bytes, 0, length, null);
    }
    return new InputStreamEntity(stream, declaredLength > 0 ? declaredLength : -1, null);
  }

  /** The client's side of a streamed body, noting a failed read. */
  private static final class FromClient extends FilterInputStream {
    private volatile boolean failed;

    FromClient(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        return in.read(buffer, offset, length);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }
  }
}
