package io.tinyllm.ollama.sim;

import java.time.Duration;

/**
 * The faults one request suffers, decided once when it arrives (see {@link FaultInjector}). A chunk
 * count of -1 means that fault is not armed.
 *
 * @param hang hold the request before any response byte, then drop it; null if not armed
 * @param failStatus answer this status at once; 0 if not armed
 * @param failMessage the error text of {@code failStatus}
 * @param slowFirstToken extra delay before the first token; zero if not armed
 * @param errorAfter send an {@code {"error": ...}} line after this many chunks, then end
 * @param errorMessage the text of that line
 * @param dropAfter drop the connection after this many chunks
 * @param malformedAfter write one malformed JSON line after this many chunks
 * @param stallAfter stop sending after this many chunks, hold, then drop
 * @param stallHold how long a stall holds
 * @param gate hold the request before its first token until this opens; null if not armed
 */
record FaultPlan(
    Duration hang,
    int failStatus,
    String failMessage,
    Duration slowFirstToken,
    int errorAfter,
    String errorMessage,
    int dropAfter,
    int malformedAfter,
    int stallAfter,
    Duration stallHold,
    Gate gate) {

  /** No fault at all. */
  static final FaultPlan NONE =
      new FaultPlan(null, 0, null, Duration.ZERO, -1, null, -1, -1, -1, Duration.ZERO, null);

  /** Whether the request must be answered with an error status right away. */
  boolean fails() {
    return failStatus > 0;
  }

  /** Holds the request at its gate, if one is armed, at most {@code max}. */
  void passGate(Pacer pacer, Duration max) {
    if (gate != null) {
      gate.pass(pacer, max);
    }
  }

  /** Whether any fault is armed for the request. */
  boolean any() {
    return hang != null
        || fails()
        || !slowFirstToken.isZero()
        || errorAfter >= 0
        || dropAfter >= 0
        || malformedAfter >= 0
        || stallAfter >= 0
        || gate != null;
  }
}
