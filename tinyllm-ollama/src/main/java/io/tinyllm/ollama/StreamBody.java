package io.tinyllm.ollama;

/**
 * The body of one streamed answer as its reading thread sees it: network reads one at a time, each
 * awaited at most a given time. {@link LineChannel} is fed by the JDK {@code HttpClient}'s threads;
 * {@link BlockingBody} reads a blocking connection on the reading thread itself.
 */
interface StreamBody {
  /**
   * The next network read (a {@code List<ByteBuffer>}, the reader's to use up before the next
   * call), {@link LineChannel#END}, {@link LineChannel#CANCELLED} or a {@link LineChannel.Failure};
   * {@code null} if nothing came within {@code timeoutNanos}. After one of the three ends, {@code
   * null} at once. Only one thread may poll.
   */
  Object pollRead(long timeoutNanos) throws InterruptedException;

  /** The response status, or -1 before the headers arrived. */
  int status();

  /** Aborts the exchange (the connection is closed) and wakes the reader; any thread may call. */
  void cancel();

  /**
   * The reader wants nothing more (it has the final chunk): the rest of the body is read and
   * dropped, so that the connection can be reused. Called by the reading thread.
   */
  void discardRest();
}
