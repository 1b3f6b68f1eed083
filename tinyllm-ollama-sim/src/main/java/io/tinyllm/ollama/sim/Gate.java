package io.tinyllm.ollama.sim;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds inference requests after they got their model and a parallel slot, before their first
 * token, until the test {@linkplain #open() opens} it: a way to keep a slot busy for exactly as
 * long as a test needs, without timing. Armed with {@link FaultInjector#holdBeforeFirstToken(int)}.
 *
 * <pre>{@code
 * Gate gate = sim.faults().holdBeforeFirstToken(1);
 * // send a request, then wait until gate.held() == 1: it occupies the model's only slot
 * gate.open();
 * }</pre>
 *
 * <p>A held request still ends when the simulator closes or after {@link
 * SimulatorConfig#maxHold()}, whichever comes first.
 */
public final class Gate {
  private final CountDownLatch opened = new CountDownLatch(1);
  private final AtomicInteger held = new AtomicInteger();

  Gate() {}

  /** Lets every held request (and any later one) go on. */
  public void open() {
    opened.countDown();
  }

  /** Requests held at the gate now. */
  public int held() {
    return held.get();
  }

  /** Holds the calling request until the gate opens, {@code max} elapses or the simulator stops. */
  void pass(Pacer pacer, Duration max) {
    held.incrementAndGet();
    try {
      pacer.await(opened, max);
    } finally {
      held.decrementAndGet();
    }
  }
}
