package io.tinyllm.benchmarks;

import java.time.Duration;

/** The CPU a middle process (forwarder, proxy, peer) has used so far, as the OS counts it. */
@FunctionalInterface
interface CpuClock {
  Duration cpuTime();
}
