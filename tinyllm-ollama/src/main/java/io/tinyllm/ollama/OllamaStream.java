package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.ResponseTooLargeException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolCall;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streamed generate or chat call, run on a client thread: rate limit, breaker and retries as
 * for any call (retrying only until the first output reached the listener), then the NDJSON chunks,
 * read by a {@link ChunkReader} from each network read as it arrives, each read within the idle
 * timeout of the previous one, all within the total deadline ({@code ollama.timeout.stream-total}),
 * their text within {@code ollama.max-response-bytes}.
 *
 * <p>The listener's callbacks are serialized; the terminal one ({@code onComplete} or {@code
 * onError}) comes once and last. {@link #cancel()} delivers {@code onError(CancelledException)} on
 * the cancelling thread right away and aborts the HTTP exchange.
 */
final class OllamaStream implements StreamHandle, Runnable {
  private static final Logger log = LoggerFactory.getLogger(OllamaStream.class);

  /** How much of an error answer's body is kept for its message. */
  static final int MAX_ERROR_BODY_CHARS = 64 * 1024;

  private final OllamaTransport transport;
  private final Resilience resilience;
  private final String model;
  private final OllamaRequest request;
  private final long conversation;
  private final StreamListener listener;
  private final OllamaMetrics.Call call;
  private final Duration idleTimeout;
  private final Duration totalTimeout;
  private final int maxResponseBytes;
  private final CompletableFuture<LlmResponse> completion = new CompletableFuture<>();
  private final CountDownLatch cancelSignal = new CountDownLatch(1);
  private final Object callbackLock = new Object();
  private boolean finished; // guarded by callbackLock
  private volatile StreamBody channel;
  private volatile boolean delivered;
  private volatile boolean pastDeadline;
  private long deadlineNanos; // set by run(), read by the same thread
  private OllamaTransport.Lease lease; // the current attempt's server; run()'s thread only

  OllamaStream(
      OllamaTransport transport,
      Resilience resilience,
      String model,
      OllamaRequest request,
      long conversation,
      StreamListener listener,
      OllamaMetrics.Call call,
      Duration idleTimeout,
      Duration totalTimeout,
      int maxResponseBytes) {
    this.transport = requireNonNull(transport, "transport is null");
    this.resilience = requireNonNull(resilience, "resilience is null");
    this.model = requireNonNull(model, "model is null");
    this.request = requireNonNull(request, "request is null");
    this.conversation = conversation;
    this.listener = requireNonNull(listener, "listener is null");
    this.call = requireNonNull(call, "call is null");
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    this.totalTimeout = requireNonNull(totalTimeout, "totalTimeout is null");
    this.maxResponseBytes = maxResponseBytes;
  }

  @Override
  public void run() {
    deadlineNanos = System.nanoTime() + totalTimeout.toNanos();
    try {
      LlmResponse response =
          resilience.execute(
              model,
              new Resilience.Attempt<>() {
                @Override
                public LlmResponse run() {
                  return attempt();
                }

                @Override
                public boolean mayRetry() {
                  return !delivered && !isCancelled() && !pastDeadline;
                }
              },
              this::await);
      complete(response);
    } catch (LlmException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new LlmException("Streaming from model '" + model + "' failed: " + e, e));
    } catch (Error e) {
      // the stream still ends, once; the error goes on to the thread's handler
      fail(new LlmException("Streaming from model '" + model + "' failed: " + e, e));
      throw e;
    }
  }

  @Override
  public void cancel() {
    cancelSignal.countDown();
    StreamBody current = channel;
    if (current != null) {
      current.cancel();
    }
    fail(new CancelledException("The stream from model '" + model + "' was cancelled"));
  }

  @Override
  public CompletableFuture<LlmResponse> completion() {
    return completion;
  }

  /** The body of the current attempt, {@code null} before the first; for tests. */
  StreamBody channel() {
    return channel;
  }

  /** Ends the stream with {@code error} before it started (e.g. the client is closed). */
  void fail(LlmException error) {
    synchronized (callbackLock) {
      if (finished) {
        return;
      }
      finished = true;
      try {
        if (error instanceof CancelledException) {
          call.cancelled();
        } else {
          call.failed(error);
        }
        listener.onError(error);
      } catch (RuntimeException e) {
        log.warn("A stream listener's onError threw", e);
      } finally {
        // whatever threw above, the stream ends, exactly once
        completion.completeExceptionally(error);
      }
    }
  }

  private void complete(LlmResponse response) {
    synchronized (callbackLock) {
      if (finished) {
        return;
      }
      finished = true;
      try {
        call.succeeded(response);
        listener.onComplete(response);
      } catch (RuntimeException e) {
        log.warn("A stream listener's onComplete threw", e);
      } finally {
        // whatever threw above, the stream ends, exactly once
        completion.complete(response);
      }
    }
  }

  private boolean isCancelled() {
    return cancelSignal.getCount() == 0;
  }

  private void await(long nanos) {
    try {
      if (cancelSignal.await(nanos, TimeUnit.NANOSECONDS)) {
        throw cancelled();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw cancelled();
    }
  }

  private CancelledException cancelled() {
    return new CancelledException("The stream from model '" + model + "' was cancelled");
  }

  private LlmResponse attempt() {
    if (transport.blockingStreams()) {
      return blockingAttempt();
    }
    LineChannel current = new LineChannel(maxResponseBytes);
    channel = current;
    if (isCancelled()) {
      current.cancel();
      throw cancelled();
    }
    if (System.nanoTime() - deadlineNanos >= 0) {
      current.cancel();
      throw pastDeadline();
    }
    try (OllamaTransport.Lease attemptLease =
        transport.stream(request, current, model, conversation)) {
      lease = attemptLease;
      return read(current);
    }
  }

  /** An attempt read on this thread from a blocking connection: reaching the server included. */
  private LlmResponse blockingAttempt() {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw pastDeadline();
    }
    BlockingBody current =
        transport.blockingBody(
            Duration.ofNanos(Math.min(transport.requestTimeout().toNanos(), left)));
    channel = current;
    try {
      if (isCancelled()) {
        current.cancel();
        throw cancelled();
      }
      try (OllamaTransport.Lease attemptLease =
          transport.stream(request, current, model, conversation)) {
        lease = attemptLease;
        return read(current);
      }
    } finally {
      current.close();
    }
  }

  private LlmResponse read(StreamBody current) {
    Answer answer = new Answer(ChunkReader.keepingContent(maxResponseBytes));
    ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
    boolean started = false;
    while (true) {
      Duration timeout = started ? idleTimeout : transport.requestTimeout();
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        // checked on every read: a server that never pauses never lets a poll time out
        current.cancel();
        throw pastDeadline();
      }
      Object item;
      try {
        item = current.pollRead(Math.min(timeout.toNanos(), left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        current.cancel();
        throw cancelled();
      }
      if (item == null) {
        current.cancel();
        throw timeout.toNanos() < left ? timedOut(started, timeout) : pastDeadline();
      }
      if (item == LineChannel.CANCELLED) {
        throw cancelled();
      }
      if (item instanceof LineChannel.Failure failure) {
        LlmException error = lease.errors().forTransport(failure.cause(), model);
        if (delivered) {
          throw new StreamException(
              "The stream from model '"
                  + model
                  + "' broke before its final chunk: "
                  + error.getMessage(),
              error);
        }
        throw error;
      }
      if (item == LineChannel.END) {
        if (current.status() != 200) {
          throw lease
              .errors()
              .forStatus(current.status(), errorBody.toString(StandardCharsets.UTF_8), model);
        }
        LlmResponse last = answer.end(current);
        if (last != null) {
          return last;
        }
        throw new StreamException(
            "The stream from model '"
                + model
                + "' ended before its final chunk (no \"done\": true) after "
                + answer.text.length()
                + " characters");
      }
      started = true;
      @SuppressWarnings("unchecked")
      List<ByteBuffer> read = (List<ByteBuffer>) item;
      if (current.status() != 200) {
        for (ByteBuffer buffer : read) {
          int room = MAX_ERROR_BODY_CHARS - errorBody.size();
          int n = Math.min(room, buffer.remaining());
          if (n > 0) {
            byte[] bytes = new byte[n];
            buffer.get(bytes);
            errorBody.write(bytes, 0, n);
          }
        }
        continue;
      }
      for (ByteBuffer buffer : read) {
        LlmResponse last = answer.feed(buffer, current);
        if (last != null) {
          current.discardRest();
          return last;
        }
      }
    }
  }

  /** What the chunks of one attempt said so far; its reader's bytes come from one channel. */
  private final class Answer {
    private final ChunkReader reader;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private final List<Logprob> logprobs = new ArrayList<>();

    Answer(ChunkReader reader) {
      this.reader = reader;
    }

    /** Reads {@code buffer}'s chunks; the final response once the final chunk came, else null. */
    LlmResponse feed(ByteBuffer buffer, StreamBody current) {
      try {
        reader.feed(buffer);
        return chunks(current);
      } catch (LlmException e) {
        current.cancel();
        throw e;
      }
    }

    /**
     * The body ended: the final response if its last chunk was the final one, else null; a body
     * that stopped inside a chunk is malformed.
     */
    LlmResponse end(StreamBody current) {
      reader.end();
      return chunks(current);
    }

    private LlmResponse chunks(StreamBody current) {
      for (Chunk chunk; (chunk = reader.next()) != null; ) {
        String error = OllamaJson.error(chunk);
        if (error != null) {
          current.cancel();
          throw transport.errors().forStreamError(error, model, delivered);
        }
        boolean done = OllamaJson.done(chunk);
        if (done) {
          ReportedValues.check(chunk, model, "final chunk");
        }
        String token = chunk.text();
        String thought = chunk.thinking();
        text.append(token);
        thinking.append(thought);
        if (text.length() + thinking.length() > maxResponseBytes) {
          current.cancel();
          throw new ResponseTooLargeException(
              "The stream from model '"
                  + model
                  + "' at "
                  + host()
                  + " sent more than the "
                  + maxResponseBytes
                  + " characters of text the client accepts (setting '"
                  + OllamaConfig.MAX_RESPONSE_BYTES
                  + "')");
        }
        List<ToolCall> calls = chunk.toolCalls();
        List<Logprob> probs = chunk.logprobs();
        toolCalls.addAll(calls);
        logprobs.addAll(probs);
        deliver(token, thought, calls, probs);
        if (done) {
          return OllamaJson.response(
              chunk, model, text.toString(), thinking.toString(), toolCalls, logprobs);
        }
      }
      return null;
    }
  }

  /** The server of the current attempt, for messages. */
  private Object host() {
    OllamaTransport.Lease current = lease;
    return current == null ? transport.host() : current.host();
  }

  /** The stream ran past its total deadline: a timeout that is not retried. */
  private LlmTimeoutException pastDeadline() {
    pastDeadline = true;
    return new LlmTimeoutException(
        "The stream from model '"
            + model
            + "' at "
            + host()
            + " did not finish within "
            + totalTimeout.toMillis()
            + " ms in all ("
            + OllamaConfig.STREAM_TOTAL_TIMEOUT
            + ")");
  }

  private LlmTimeoutException timedOut(boolean started, Duration timeout) {
    return new LlmTimeoutException(
        started
            ? "The stream from model '"
                + model
                + "' at "
                + host()
                + " sent nothing for "
                + timeout.toMillis()
                + " ms ("
                + OllamaConfig.STREAM_IDLE_TIMEOUT
                + ")"
            : "Ollama at "
                + host()
                + " did not start streaming from model '"
                + model
                + "' within "
                + timeout.toMillis()
                + " ms ("
                + OllamaConfig.REQUEST_TIMEOUT
                + ")");
  }

  private void deliver(String token, String thought, List<ToolCall> calls, List<Logprob> probs) {
    if (token.isEmpty() && thought.isEmpty() && calls.isEmpty() && probs.isEmpty()) {
      return;
    }
    synchronized (callbackLock) {
      if (finished) {
        throw cancelled();
      }
      call.outputReceived();
      delivered = true;
      try {
        if (!thought.isEmpty()) {
          listener.onThinking(thought);
        }
        if (!token.isEmpty()) {
          listener.onToken(token);
        }
        if (!calls.isEmpty()) {
          listener.onToolCalls(calls);
        }
        if (!probs.isEmpty()) {
          listener.onLogprobs(probs);
        }
      } catch (RuntimeException e) {
        StreamBody current = channel;
        if (current != null) {
          current.cancel();
        }
        throw new CancelledException(
            "The stream from model '" + model + "' was stopped because its listener threw: " + e,
            e);
      }
    }
  }
}
