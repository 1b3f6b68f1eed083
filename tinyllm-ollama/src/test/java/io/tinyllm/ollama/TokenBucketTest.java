package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long MS = 1_000_000L;
  private static final long NO_LIMIT = Long.MAX_VALUE;

  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final TokenBucket bucket = new TokenBucket(10, 20, now::get);

  @Test
  void aFullBucketLetsABurstThroughThenSpacesCalls() {
    for (int i = 0; i < 20; i++) {
      assertThat(bucket.reserve(NO_LIMIT)).as("call %d", i).isZero();
    }
    // the 21st and later calls reserve tokens 100 ms apart
    assertThat(bucket.reserve(NO_LIMIT)).isEqualTo(100 * MS);
    assertThat(bucket.reserve(NO_LIMIT)).isEqualTo(200 * MS);
    assertThat(bucket.reserve(NO_LIMIT)).isEqualTo(300 * MS);
  }

  @Test
  void refillsAtTheRateUpToCapacity() {
    for (int i = 0; i < 20; i++) {
      bucket.reserve(NO_LIMIT);
    }
    now.addAndGet(250 * MS);
    assertThat(bucket.available()).isEqualTo(2.5);

    now.addAndGet(60_000 * MS);
    assertThat(bucket.available()).isEqualTo(20.0);
  }

  @Test
  void refusesAWaitLongerThanAllowedWithoutTakingAToken() {
    for (int i = 0; i < 20; i++) {
      bucket.reserve(NO_LIMIT);
    }
    assertThat(bucket.reserve(50 * MS)).isEqualTo(-1);
    assertThat(bucket.reserve(100 * MS)).isEqualTo(100 * MS);
  }

  @Test
  void aRefundedReservationIsAvailableAgain() {
    for (int i = 0; i < 20; i++) {
      bucket.reserve(NO_LIMIT);
    }
    assertThat(bucket.reserve(NO_LIMIT)).isEqualTo(100 * MS);
    bucket.refund();
    assertThat(bucket.reserve(NO_LIMIT)).isEqualTo(100 * MS);
  }
}
