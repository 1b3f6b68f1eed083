package io.tinyllm.ollama;

import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lines of one streamed HTTP response, handed from the HTTP client's threads to the thread that
 * reads them. Reading waits at most a given time, which is how a stream that goes quiet is detected
 * without a watchdog; {@link #cancel()} aborts the exchange and wakes the reader.
 */
final class LineChannel implements Flow.Subscriber<String> {
  /** The response ended normally. */
  static final Object END = new Object();

  /** The channel was cancelled. */
  static final Object CANCELLED = new Object();

  /** The exchange failed with {@code cause}. */
  record Failure(Throwable cause) {}

  private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private volatile int status = -1;

  /** The body handler that feeds this channel and records the status code. */
  BodyHandler<Void> handler() {
    return info -> {
      status = info.statusCode();
      return BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null);
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
  public void onNext(String line) {
    items.add(line);
  }

  @Override
  public void onError(Throwable failure) {
    items.add(new Failure(failure));
  }

  @Override
  public void onComplete() {
    items.add(END);
  }
}
