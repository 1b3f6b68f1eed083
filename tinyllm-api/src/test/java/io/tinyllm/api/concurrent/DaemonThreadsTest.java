package io.tinyllm.api.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
  @Test
  void threadsAreDaemonsNamedByPrefixAndNumberAndCounted() {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = DaemonThreads.named("x-pool-", count);

    Thread first = factory.newThread(() -> {});
    Thread second = factory.newThread(() -> {});

    assertThat(first.getName()).isEqualTo("x-pool-1");
    assertThat(second.getName()).isEqualTo("x-pool-2");
    assertThat(first.isDaemon()).isTrue();
    assertThat(second.isDaemon()).isTrue();
    assertThat(count).hasValue(2);
    assertThat(DaemonThreads.named("y-").newThread(() -> {}).getName()).isEqualTo("y-1");
  }
}
