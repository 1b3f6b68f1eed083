package io.tinyllm.ollama.sim;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Holds inference requests after they got their model and a parallel slot, before their first
 * token, until the test {@linkplain #open() opens} it: a way to keep a slot busy for exactly as
 * long as a test needs, without timing. Armed with {@link FaultInjector#holdBeforeFirstToken(int)}.
 *
 * <pre>{@code
 * Gate gate = sim.faults().holdBeforeFirstToken(1);
 * // send a request, then wait until it occupies the model's only slot
 * assertThat(gate.awaitHeld(1, Duration.ofSeconds(10))).isTrue();
 * gate.open();
 * }</pre>
 *
 * <p>A held request still ends when the simulator closes or after {@link
 * SimulatorConfig#maxHold()}, whichever comes first.
 */
public final class Gate {
  private final CountDownLatch opened = new CountDownLatch(1);
  private int held; // guarded by this

  Gate() {}

  /** Lets every held request (and any later one) go on. */
  public void open() {
    opened.countDown();
  }

  /** Requests held at the gate now. */
  public synchronized int held() {
    return held;
  }

  /**
   * Waits until at least {@code count} requests are held at the gate, at most {@code timeout}.
   *
   * @return whether they are; false if {@code timeout} elapsed first
   */
  public synchronized boolean awaitHeld(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (held < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Holds the calling request until the gate opens, {@code max} elapses or the simulator stops. */
  void pass(Pacer pacer, Duration max) {
    changeHeld(1);
    try {
      pacer.await(opened, max);
    } finally {
      changeHeld(-1);
    }
  }

  private synchronized void changeHeld(int delta) {
    held += delta;
    notifyAll();
  }
}
