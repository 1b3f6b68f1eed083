package io.tinyllm.api.time;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Ticker} as a {@link Clock}, for a library that times durations on a {@code Clock} (the
 * circuit breakers' open duration): its instants count nanoseconds from the ticker's origin, so
 * only the differences between them mean anything, and a test's fake ticker moves that library's
 * time as it moves the metrics'.
 *
 * <pre>{@code
 * CircuitBreakerConfig.custom().clock(TickerClock.of(ticker))
 * }</pre>
 */
public final class TickerClock extends Clock {
  private final Ticker ticker;

  private TickerClock(Ticker ticker) {
    this.ticker = ticker;
  }

  /** The clock of {@code ticker}. */
  public static TickerClock of(Ticker ticker) {
    return new TickerClock(requireNonNull(ticker, "ticker is null"));
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochSecond(0, ticker.read());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
