package io.tinyllm.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a short answer whole, bounded in size and in time: a backend that sends its headers and
 * then nothing more cannot hold a health check or a merged list for longer than its timeout. The
 * stream is closed when the time is up, which ends the read, as {@link IdleWatch} does for streams.
 */
final class BoundedRead {
  private BoundedRead() {}

  /** The bytes of {@code in}, at most {@code limit}, read within {@code timeout}; closes it. */
  static byte[] read(InputStream in, int limit, Duration timeout) throws IOException {
    AtomicBoolean done = new AtomicBoolean();
    AtomicBoolean expired = new AtomicBoolean();
    Executor later = CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    later.execute(
        () -> {
          if (!done.get()) {
            expired.set(true);
            try {
              in.close();
            } catch (IOException e) {
              // closing is all that was asked; the read ends either way
            }
          }
        });
    try (in) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (expired.get()) {
        throw new IOException("no whole answer within " + timeout);
      }
      if (bytes.length > limit) {
        throw new IOException("an answer over " + limit + " bytes");
      }
      return bytes;
    } finally {
      done.set(true);
    }
  }
}
