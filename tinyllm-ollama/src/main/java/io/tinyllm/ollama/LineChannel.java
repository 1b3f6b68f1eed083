package io.tinyllm.ollama;

import io.tinyllm.api.error.ResponseTooLargeException;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The body of one streamed HTTP response, handed from the HTTP client's threads to the thread that
 * reads it: as whole network reads ({@link #pollRead(long)}, what generate and chat streams feed to
 * their {@link ChunkReader}) or split into lines ({@link #poll(long)}, pull progress). Reading
 * waits at most a given time, which is how a stream that goes quiet is detected without a watchdog;
 * {@link #cancel()} aborts the exchange and wakes the reader.
 *
 * <p>Backpressure: the channel asks the HTTP client for {@link #PREFETCH} network reads up front
 * and for one more each time the reader takes one, so at most {@code PREFETCH} reads (each at most
 * the JDK's {@code jdk.httpclient.bufsize}, 16 KiB by default) wait here, however slow the reader.
 * With no demand left the JDK stops reading the socket and TCP flow control pauses the server. The
 * network buffers themselves are queued (the JDK hands them over for good), so the hand-off costs
 * one queue operation per network read, however many lines (stream chunks) it holds.
 *
 * <p>Lines end at {@code \n} (a {@code \r} before it is dropped) and are decoded as UTF-8 once
 * whole, so a character split across two network buffers is decoded right. The body is split here
 * rather than by the JDK's line subscriber, which decodes every buffer through a {@code
 * CharsetDecoder} and assembles each line in a {@code StringBuilder}. A line longer than {@link
 * #MAX_LINE_BYTES} fails the exchange instead of growing without bound.
 */
final class LineChannel implements Flow.Subscriber<List<ByteBuffer>>, StreamBody {
  /** The response ended normally. */
  static final Object END = new Object();

  /** The channel was cancelled. */
  static final Object CANCELLED = new Object();

  /** The longest line accepted: far above Ollama's largest (a final chunk with its context). */
  static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

  /**
   * The network reads held at most: enough that the HTTP client reads ahead while the reader
   * parses, few enough that a stalled reader holds a few tens of KiB.
   */
  static final int PREFETCH = 4;

  /** The exchange failed with {@code cause}. */
  record Failure(Throwable cause) {}

  /** One network read, as the HTTP client delivered it. */
  private record Read(List<ByteBuffer> buffers) {}

  // reads, then END or a Failure; CANCELLED only wakes a waiting reader
  private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private final int maxLineBytes;
  private final Object subscriptionLock = new Object(); // request and cancel must be serial
  private Flow.Subscription subscription; // guarded by subscriptionLock
  private volatile boolean cancelled;
  private volatile boolean discarding;
  private volatile int status = -1;
  // demand bookkeeping, read by tests to show the bound holds
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicInteger queued = new AtomicInteger();
  private volatile int maxQueued;
  // the reader's state, touched only by the thread that polls
  private List<ByteBuffer> current;
  private int currentIndex;
  private byte[] pending = new byte[256];
  private int pendingLength;
  private boolean ended;

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
  @Override
  public int status() {
    return status;
  }

  /**
   * The next line, {@link #END}, {@link #CANCELLED} or a {@link Failure}; {@code null} if no whole
   * line came within {@code timeoutNanos}. After one of the three ends, {@code null} at once. Only
   * one thread may poll.
   */
  Object poll(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (!ended) {
      if (cancelled) {
        return end(CANCELLED);
      }
      if (current != null) {
        Object line = nextLine();
        if (line != null) {
          return line;
        }
        current = null;
      }
      Object item = items.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (item == null) {
        return null;
      }
      if (item instanceof Read read) {
        queued.decrementAndGet();
        current = read.buffers();
        currentIndex = 0;
        request(1);
      } else if (item == END && pendingLength > 0) {
        // the last line had no newline: hand it out now and the end on the next poll
        items.add(END);
        return emit(pending, 0, pendingLength, true);
      } else if (item != CANCELLED) {
        return end(item);
      }
    }
    return null;
  }

  /**
   * The next network read (a {@code List<ByteBuffer>}, the reader's to use up), {@link #END},
   * {@link #CANCELLED} or a {@link Failure}; {@code null} if nothing came within {@code
   * timeoutNanos}. After one of the three ends, {@code null} at once. Only one thread may poll, and
   * it reads by lines ({@link #poll(long)}) or by reads, not both.
   */
  @Override
  public Object pollRead(long timeoutNanos) throws InterruptedException {
    if (ended) {
      return null;
    }
    if (cancelled) {
      return end(CANCELLED);
    }
    Object item = items.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    if (item == null) {
      return null;
    }
    if (item instanceof Read read) {
      queued.decrementAndGet();
      request(1);
      return read.buffers();
    }
    return end(cancelled ? CANCELLED : item);
  }

  /** Records a failure of the exchange seen outside the body (connect, headers). */
  void fail(Throwable cause) {
    items.add(new Failure(cause));
  }

  /** Aborts the exchange (the connection is closed) and wakes the reader. */
  @Override
  public void cancel() {
    cancelled = true;
    synchronized (subscriptionLock) {
      if (subscription != null) {
        subscription.cancel();
      }
    }
    items.add(CANCELLED);
  }

  /**
   * The reader wants nothing more (it has the final chunk): the rest of the body is read and
   * dropped, so that the exchange ends and its connection can be reused instead of waiting for
   * demand that never comes.
   */
  @Override
  public void discardRest() {
    discarding = true;
    items.clear();
    queued.set(0);
    current = null;
    request(Long.MAX_VALUE);
  }

  /** Network reads received and not yet taken by the reader. */
  int queued() {
    return queued.get();
  }

  /** The most network reads that were ever waiting at once. */
  int maxQueued() {
    return maxQueued;
  }

  /** Network reads asked for and not yet received: what the server may still send unread. */
  long unfilledDemand() {
    return requested.get() - received.get();
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    synchronized (subscriptionLock) {
      subscription = s;
      if (cancelled) {
        s.cancel();
        return;
      }
    }
    request(PREFETCH);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    received.incrementAndGet();
    if (discarding) {
      return;
    }
    int waiting = queued.incrementAndGet();
    if (waiting > maxQueued) {
      maxQueued = waiting; // onNext calls are serialized, so this never loses a larger value
    }
    items.add(new Read(buffers));
  }

  @Override
  public void onError(Throwable failure) {
    items.add(new Failure(failure));
  }

  @Override
  public void onComplete() {
    items.add(END);
  }

  private void request(long n) {
    synchronized (subscriptionLock) {
      if (!cancelled && subscription != null) {
        requested.accumulateAndGet(n, LineChannel::saturatedSum);
        subscription.request(n);
      }
    }
  }

  private static long saturatedSum(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private Object end(Object item) {
    ended = true;
    current = null;
    pending = null;
    return item;
  }

  /**
   * The next whole line of the current read (the unfinished one carried over), a {@link Failure} if
   * it is too long, or {@code null} once the read is used up.
   */
  private Object nextLine() {
    while (currentIndex < current.size()) {
      ByteBuffer buffer = current.get(currentIndex);
      if (!buffer.hasRemaining()) {
        currentIndex++;
        continue;
      }
      int start = buffer.position();
      int limit = buffer.limit();
      int newline = start;
      while (newline < limit && buffer.get(newline) != '\n') {
        newline++;
      }
      if (newline == limit) {
        if (!append(buffer, start, limit - start)) {
          return overflow();
        }
        buffer.position(limit);
        currentIndex++;
        continue;
      }
      buffer.position(newline + 1);
      if (pendingLength == 0 && buffer.hasArray()) {
        // the whole line is in this buffer: decode it in place
        int offset = buffer.arrayOffset();
        return emit(buffer.array(), offset + start, offset + newline, false);
      }
      if (!append(buffer, start, newline - start)) {
        return overflow();
      }
      return emit(pending, 0, pendingLength, true);
    }
    return null;
  }

  /** The line in {@code bytes[from, to)}, without a trailing {@code \r}. */
  private String emit(byte[] bytes, int from, int to, boolean fromPending) {
    int end = to > from && bytes[to - 1] == '\r' ? to - 1 : to;
    String line = new String(bytes, from, end - from, StandardCharsets.UTF_8);
    if (fromPending) {
      pendingLength = 0;
    }
    return line;
  }

  private Object overflow() {
    synchronized (subscriptionLock) {
      if (subscription != null) {
        subscription.cancel();
      }
    }
    return end(
        new Failure(
            new ResponseTooLargeException(
                "A line of the streamed answer is longer than the "
                    + maxLineBytes
                    + " bytes the client accepts (setting '"
                    + OllamaConfig.MAX_RESPONSE_BYTES
                    + "')")));
  }

  /** Adds {@code length} bytes of {@code buffer} from {@code start} to the unfinished line. */
  private boolean append(ByteBuffer buffer, int start, int length) {
    int needed = pendingLength + length;
    if (needed > maxLineBytes) {
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
