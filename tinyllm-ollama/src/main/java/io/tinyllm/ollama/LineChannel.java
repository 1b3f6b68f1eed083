package io.tinyllm.ollama;

import java.io.IOException;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lines of one streamed HTTP response, handed from the HTTP client's threads to the thread that
 * reads them. Reading waits at most a given time, which is how a stream that goes quiet is detected
 * without a watchdog; {@link #cancel()} aborts the exchange and wakes the reader.
 *
 * <p>Lines end at {@code \n} (a {@code \r} before it is dropped) and are decoded as UTF-8 once
 * whole, so a character split across two network buffers is decoded right. The body is split here
 * rather than by the JDK's line subscriber, which decodes every buffer through a {@code
 * CharsetDecoder} and assembles each line in a {@code StringBuilder}: in a stream of one small line
 * per token that was the largest single cost. A line longer than {@link #MAX_LINE_BYTES} fails the
 * exchange instead of growing without bound.
 */
final class LineChannel implements Flow.Subscriber<List<ByteBuffer>> {
  /** The response ended normally. */
  static final Object END = new Object();

  /** The channel was cancelled. */
  static final Object CANCELLED = new Object();

  /** The longest line accepted: far above Ollama's largest (a final chunk with its context). */
  static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

  /** The exchange failed with {@code cause}. */
  record Failure(Throwable cause) {}

  private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private final int maxLineBytes;
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private volatile int status = -1;
  // the unfinished line; touched only by onNext/onComplete, which the HTTP client serializes
  private byte[] pending = new byte[256];
  private int pendingLength;
  private boolean overflowed;

  LineChannel() {
    this(MAX_LINE_BYTES);
  }

  LineChannel(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /** The body handler that feeds this channel and records the status code. */
  BodyHandler<Void> handler() {
    return info -> {
      status = info.statusCode();
      return BodySubscribers.fromSubscriber(this, s -> null);
    };
  }

  /** The response status, or -1 before the headers arrived. */
  int status() {
    return status;
  }

  /**
   * The next line, {@link #END}, {@link #CANCELLED} or a {@link Failure}; {@code null} if nothing
   * came within {@code timeoutNanos}.
   */
  Object poll(long timeoutNanos) throws InterruptedException {
    return items.poll(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Records a failure of the exchange seen outside the body (connect, headers). */
  void fail(Throwable cause) {
    items.add(new Failure(cause));
  }

  /** Aborts the exchange (the connection is closed) and wakes the reader. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    items.add(CANCELLED);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (overflowed) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      while (buffer.hasRemaining()) {
        int start = buffer.position();
        int limit = buffer.limit();
        int newline = start;
        while (newline < limit && buffer.get(newline) != '\n') {
          newline++;
        }
        if (newline == limit) {
          if (!append(buffer, start, limit - start)) {
            return;
          }
          buffer.position(limit);
        } else {
          if (pendingLength == 0 && buffer.hasArray()) {
            // the whole line is in this buffer: decode it in place
            int offset = buffer.arrayOffset();
            emit(buffer.array(), offset + start, offset + newline);
          } else {
            if (!append(buffer, start, newline - start)) {
              return;
            }
            emit(pending, 0, pendingLength);
            pendingLength = 0;
          }
          buffer.position(newline + 1);
        }
      }
    }
  }

  @Override
  public void onError(Throwable failure) {
    items.add(new Failure(failure));
  }

  @Override
  public void onComplete() {
    if (overflowed) {
      return;
    }
    if (pendingLength > 0) {
      emit(pending, 0, pendingLength);
      pendingLength = 0;
    }
    items.add(END);
  }

  /** Queues the line in {@code bytes[from, to)}, without a trailing {@code \r}. */
  private void emit(byte[] bytes, int from, int to) {
    int end = to > from && bytes[to - 1] == '\r' ? to - 1 : to;
    items.add(new String(bytes, from, end - from, StandardCharsets.UTF_8));
  }

  /** Adds {@code length} bytes of {@code buffer} from {@code start} to the unfinished line. */
  private boolean append(ByteBuffer buffer, int start, int length) {
    int needed = pendingLength + length;
    if (needed > maxLineBytes) {
      overflowed = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      items.add(
          new Failure(
              new IOException("a line of the response is longer than " + maxLineBytes + " bytes")));
      return false;
    }
    if (needed > pending.length) {
      pending =
          Arrays.copyOf(pending, Math.max(needed, Math.min(maxLineBytes, pending.length * 2)));
    }
    buffer.get(start, pending, pendingLength, length);
    pendingLength = needed;
    return true;
  }
}
