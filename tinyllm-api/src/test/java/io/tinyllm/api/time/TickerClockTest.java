package io.tinyllm.api.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickerClockTest {
  @Test
  void theClockMovesExactlyAsItsTickerDoes() {
    AtomicLong nanos = new AtomicLong(-5);
    TickerClock clock = TickerClock.of(nanos::get);

    Instant before = clock.instant();
    nanos.addAndGet(Duration.ofMinutes(30).toNanos() + 1);

    assertThat(Duration.between(before, clock.instant()))
        .isEqualTo(Duration.ofMinutes(30).plusNanos(1));
    assertThat(clock.withZone(java.time.ZoneId.of("Europe/Paris"))).isSameAs(clock);
  }
}
