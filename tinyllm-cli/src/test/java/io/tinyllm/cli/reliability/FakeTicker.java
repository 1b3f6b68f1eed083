package io.tinyllm.cli.reliability;

import io.tinyllm.api.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that stands still until the test moves it. Every duration the application
 * records is then the sum of the moves made while that work was in flight, so a test that moves the
 * clock only while work is held on a latch knows each duration exactly.
 */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }
}
