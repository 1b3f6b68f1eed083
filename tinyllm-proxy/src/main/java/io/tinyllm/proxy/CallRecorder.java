package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.ollama.Chunk;
import io.tinyllm.ollama.OllamaMetrics;
import io.tinyllm.ollama.RequestType;
import java.time.Duration;
import java.util.List;

/**
 * Turns what an LLM call's answer said, read on the side, into the client's metrics: one {@link
 * OllamaMetrics.Call} per exchange, ended exactly once, as the Java client would have ended it.
 *
 * <ul>
 *   <li>A native answer succeeds at its {@code "done": true} object, with its counts and durations.
 *   <li>An OpenAI answer succeeds when it ends after a {@code finish_reason} (or {@code [DONE]});
 *       its tokens are its {@code usage} — a stream has usage only when the client asked for it
 *       ({@code stream_options.include_usage}), and without it nothing is counted rather than
 *       guessed.
 *   <li>An embedding answer succeeds when it ends.
 *   <li>A status of 400 or more fails with the type the client would give it; an {@code error}
 *       object, or an answer that ends early, fails as {@code stream_error}; an answer that is not
 *       JSON as {@code malformed_response}.
 * </ul>
 */
final class CallRecorder {
  private final OllamaMetrics.Call call;
  private final String model;
  private final LlmEndpoint endpoint;
  private final boolean streaming;
  private boolean errorSeen;
  private boolean finished;
  private long usagePromptTokens;
  private long usageCompletionTokens;
  private boolean ended;
  private boolean succeeded;
  private String doneReason;

  CallRecorder(OllamaMetrics.Call call, String model, LlmEndpoint endpoint, RequestType type) {
    this.call = requireNonNull(call, "call is null");
    this.model = model == null ? "unknown" : model;
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.streaming = type.isStreaming();
  }

  /** One top-level object of a 2xx answer has passed to the client. */
  void object(Chunk facts) {
    if (ended) {
      return;
    }
    if (facts.error()) {
      errorSeen = true;
      return;
    }
    if (facts.output() && streaming) {
      call.outputReceived();
    }
    if (facts.finished()) {
      finished = true;
    }
    if (facts.usagePromptTokens() >= 0) {
      usagePromptTokens = facts.usagePromptTokens();
    }
    if (facts.usageCompletionTokens() >= 0) {
      usageCompletionTokens = facts.usageCompletionTokens();
    }
    if (facts.done()) {
      ended = true;
      if (endpoint == LlmEndpoint.GENERATE || endpoint == LlmEndpoint.CHAT) {
        succeeded = true;
        doneReason = facts.doneReason();
        call.succeeded(nativeResponse(facts));
      } else {
        succeeded = true;
        call.succeeded(embedResponse(facts.promptEvalCount(), facts.loadDuration()));
      }
    } else if (!streaming
        && (endpoint == LlmEndpoint.EMBED || endpoint == LlmEndpoint.EMBEDDINGS)) {
      ended = true;
      succeeded = true;
      call.succeeded(embedResponse(facts.promptEvalCount(), facts.loadDuration()));
    }
  }

  /**
   * The answer ended normally with {@code status}; {@code malformed} if it could not be read, and
   * {@code doneMarker} if an SSE stream sent {@code [DONE]}.
   */
  void answerEnded(int status, boolean malformed, boolean doneMarker) {
    if (ended) {
      return;
    }
    ended = true;
    if (status >= 400) {
      call.failed(errorTypeOf(status));
    } else if (errorSeen) {
      call.failed(ErrorType.STREAM_ERROR);
    } else if (malformed) {
      call.failed(ErrorType.MALFORMED_RESPONSE);
    } else if (endpoint == LlmEndpoint.OPENAI_EMBED) {
      succeeded = true;
      call.succeeded(embedResponse(usagePromptTokens, -1));
    } else if (endpoint.isOpenAi() && (finished || doneMarker)) {
      succeeded = true;
      call.succeeded(
          new LlmResponse(
              model,
              "",
              null,
              null,
              usagePromptTokens,
              usageCompletionTokens,
              null,
              null,
              null,
              null));
    } else {
      call.failed(ErrorType.STREAM_ERROR); // ended before its final chunk
    }
  }

  /**
   * Whether the answer may be replayed to an identical call: it ended as a success (whole, without
   * an error), and was not the empty answer to a load or unload request (which must reach Ollama to
   * load or unload the model; the caching client does not keep these either).
   */
  boolean replayable() {
    return succeeded && !"load".equals(doneReason) && !"unload".equals(doneReason);
  }

  /**
   * The proxy's response cache answered the call: a success that took until now, with no tokens and
   * no server durations (no model evaluated anything), and no time to first token.
   */
  void answeredFromCache() {
    if (!ended) {
      ended = true;
      succeeded = true;
      call.succeeded(new LlmResponse(model, "", null, null, 0, 0, null, null, null, null));
    }
  }

  /** The client went away: the call was cancelled, as the Java client counts a cancel. */
  void cancelled() {
    if (!ended) {
      ended = true;
      call.cancelled();
    }
  }

  /** Ollama could not be reached, timed out, or broke off the answer. */
  void failed(ErrorType type) {
    if (!ended) {
      ended = true;
      call.failed(type);
    }
  }

  /** As the Java client classifies a status (its OllamaErrors). */
  static ErrorType errorTypeOf(int status) {
    return switch (status) {
      case 400 -> ErrorType.BAD_REQUEST;
      case 404 -> ErrorType.MODEL_NOT_FOUND;
      case 429, 503 -> ErrorType.SERVER_BUSY;
      default -> status >= 500 ? ErrorType.SERVER_ERROR : ErrorType.BAD_REQUEST;
    };
  }

  private LlmResponse nativeResponse(Chunk facts) {
    return new LlmResponse(
        model,
        "",
        null,
        facts.doneReason(),
        Math.max(0, facts.promptEvalCount()),
        Math.max(0, facts.evalCount()),
        nanos(facts.totalDuration()),
        nanos(facts.loadDuration()),
        nanos(facts.promptEvalDuration()),
        nanos(facts.evalDuration()));
  }

  private EmbedResponse embedResponse(long promptTokens, long loadDuration) {
    return new EmbedResponse(
        model, List.of(), Math.max(0, promptTokens), Duration.ZERO, nanos(loadDuration));
  }

  private static Duration nanos(long value) {
    return value > 0 ? Duration.ofNanos(value) : Duration.ZERO;
  }
}
