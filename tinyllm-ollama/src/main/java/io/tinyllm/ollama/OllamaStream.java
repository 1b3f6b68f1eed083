package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.http.HttpRequest;
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
 * each within the idle timeout of the previous one, all within the total deadline ({@code
 * ollama.timeout.stream-total}), their text within {@code ollama.max-response-bytes}.
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
  private final HttpRequest request;
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
  private volatile LineChannel channel;
  private volatile boolean delivered;
  private volatile boolean pastDeadline;
  private long deadlineNanos; // set by run(), read by the same thread
  private OllamaTransport.Lease lease; // the current attempt's server; run()'s thread only

  OllamaStream(
      OllamaTransport transport,
      Resilience resilience,
      String model,
      HttpRequest request,
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
    LineChannel current = channel;
    if (current != null) {
      current.cancel();
    }
    fail(new CancelledException("The stream from model '" + model + "' was cancelled"));
  }

  @Override
  public CompletableFuture<LlmResponse> completion() {
    return completion;
  }

  /** The lines of the current attempt, {@code null} before the first; for tests. */
  LineChannel channel() {
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

  private LlmResponse read(LineChannel current) {
    StringBuilder text = new StringBuilder();
    StringBuilder thinking = new StringBuilder();
    List<ToolCall> toolCalls = new ArrayList<>();
    List<Logprob> logprobs = new ArrayList<>();
    StringBuilder errorBody = new StringBuilder();
    boolean started = false;
    while (true) {
      Duration timeout = started ? idleTimeout : transport.requestTimeout();
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        // checked on every line: a server that never pauses never lets a poll time out
        current.cancel();
        throw pastDeadline();
      }
      Object item;
      try {
        item = current.poll(Math.min(timeout.toNanos(), left));
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
          throw lease.errors().forStatus(current.status(), errorBody.toString(), model);
        }
        throw new StreamException(
            "The stream from model '"
                + model
                + "' ended before its final chunk (no \"done\": true) after "
                + text.length()
                + " characters");
      }
      String line = (String) item;
      started = true;
      if (current.status() != 200) {
        if (errorBody.length() < MAX_ERROR_BODY_CHARS) {
          errorBody.append(line).append('\n');
        }
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode chunk;
      String error;
      boolean done;
      try {
        chunk = OllamaJson.parse(line, "stream chunk");
        error = OllamaJson.error(chunk);
        done = error == null && OllamaJson.done(chunk);
        if (done) {
          ReportedValues.check(chunk, model, "final chunk");
        }
      } catch (LlmException e) {
        current.cancel();
        throw e;
      }
      if (error != null) {
        current.cancel();
        throw transport.errors().forStreamError(error, model, delivered);
      }
      String token = OllamaJson.text(chunk);
      String thought = OllamaJson.thinking(chunk);
      List<ToolCall> calls;
      List<Logprob> probs;
      try {
        calls = OllamaJson.toolCalls(chunk);
        probs = OllamaJson.logprobs(chunk);
      } catch (LlmException e) {
        current.cancel();
        throw e;
      }
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
      toolCalls.addAll(calls);
      logprobs.addAll(probs);
      deliver(token, thought, calls, probs);
      if (done) {
        current.discardRest();
        return OllamaJson.response(
            chunk, model, text.toString(), thinking.toString(), toolCalls, logprobs);
      }
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
        LineChannel current = channel;
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
