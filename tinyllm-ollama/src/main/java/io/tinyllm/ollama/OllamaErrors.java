package io.tinyllm.ollama;

import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.NotSupportedException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.error.ServerRejectedException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.error.TooManyRequestsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/** Turns what went wrong talking to Ollama into the typed exceptions of the API. */
final class OllamaErrors {
  private final URI host;
  private final Duration connectTimeout;
  private final Duration requestTimeout;

  OllamaErrors(URI host, Duration connectTimeout, Duration requestTimeout) {
    this.host = host;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Texts of Ollama's HTTP 500s that can succeed later: the model runner crashed, stopped or was
   * not ready (Ollama v0.13.5, {@code llm/server.go}: {@code Completion}, {@code Embedding}, {@code
   * WaitUntilRunning}, {@code getServerStatus}). Every other 500 that carries Ollama's JSON error
   * is its default answer to a request it cannot serve as asked (see docs/ollama-client.md, "Which
   * failures are retried").
   */
  static final List<String> TRANSIENT_500_TEXTS =
      List.of(
          "model runner has unexpectedly stopped",
          "an error was encountered while running the model",
          "llama runner process has terminated",
          "llama runner process no longer running",
          "timed out waiting for llama runner to start",
          "server not responding",
          "no slots available",
          "unexpected server status",
          "error reading llm response",
          "error reading embed response",
          "do embedding request",
          "do load request");

  /** What Go's {@code net/http} mux and gin answer for a path they do not serve. */
  static final String NO_SUCH_PATH = "404 page not found";

  /**
   * The exception for an answer with status {@code status} and body {@code body} to a call about
   * {@code model} (may be {@code null}).
   */
  LlmException forStatus(int status, String body, String model) {
    String message = serverMessage(body);
    String subject = model == null ? "" : " for model '" + model + "'";
    return switch (status) {
      case 404 -> notFound(body, message, model);
      case 400 -> new BadRequestException("Ollama rejected the request" + subject + ": " + message);
      case 429 ->
          new TooManyRequestsException(
              "Ollama at " + host + " asked to slow down (HTTP 429)" + subject + ": " + message);
      case 503 ->
          new ServerBusyException(
              "Ollama at " + host + " is busy (HTTP " + status + ")" + subject + ": " + message);
      case 501 ->
          new NotSupportedException(
              "Ollama at " + host + " cannot do this" + subject + " (HTTP 501): " + message);
      case 500 ->
          isTransient500(body)
              ? new ServerErrorException(
                  "Ollama at " + host + " failed (HTTP 500)" + subject + ": " + message)
              : new ServerRejectedException(
                  "Ollama at "
                      + host
                      + " cannot serve this request"
                      + subject
                      + " (HTTP 500, not retried): "
                      + message);
      default ->
          status >= 500
              ? new ServerErrorException(
                  "Ollama at " + host + " failed (HTTP " + status + ")" + subject + ": " + message)
              : new BadRequestException(
                  "Ollama at " + host + " answered HTTP " + status + subject + ": " + message);
    };
  }

  /**
   * Whether a 500 with {@code body} may succeed later: a runner crash, or a body that is not
   * Ollama's JSON error (a proxy's page, nothing), which says nothing about the request.
   */
  static boolean isTransient500(String body) {
    String error = ollamaError(body);
    return error == null || isTransientText(error);
  }

  /** Whether Ollama's error text {@code error} says the model runner failed underneath. */
  static boolean isTransientText(String error) {
    String lower = error.toLowerCase(Locale.ROOT);
    return TRANSIENT_500_TEXTS.stream().anyMatch(lower::contains);
  }

  /**
   * The exception for an {@code {"error": ...}} line in a 200 stream about {@code model}, by the
   * rules of a 500 with that text: a runner failure may succeed later and counts for the breaker
   * (retried if no output was {@code delivered} yet, a {@link StreamException} once it was); any
   * other text fails the same way again and is not the server being unwell.
   */
  LlmException forStreamError(String error, String model, boolean delivered) {
    String subject = "Ollama reported an error in the stream from model '" + model + "'";
    if (!isTransientText(error)) {
      return new ServerRejectedException(subject + " (not retried): " + error);
    }
    return delivered
        ? new StreamException(subject + " after output: " + error)
        : new ServerErrorException(subject + " before any output (the runner failed): " + error);
  }

  private LlmException notFound(String body, String message, String model) {
    if (ollamaError(body) == null) {
      // Ollama's own 404s are JSON; a plain "404 page not found" is Go's router: wrong base path
      String root = host.getScheme() + "://" + host.getRawAuthority();
      return new BadRequestException(
          "Ollama at "
              + host
              + " answered '"
              + message
              + "': that URL does not look like Ollama's API, which answers at the server's root"
              + " (e.g. "
              + root
              + "). Check "
              + OllamaConfig.OLLAMA_HOST_ENV
              + " or the setting '"
              + OllamaConfig.HOST
              + "'.");
    }
    return model == null
        ? new BadRequestException("Ollama at " + host + " answered 404: " + message)
        : new ModelNotFoundException(
            "Model '"
                + model
                + "' was not found on Ollama at "
                + host
                + " ("
                + message
                + "). Pull it first: ollama pull "
                + model);
  }

  /** The text of Ollama's {@code {"error": "..."}} body, or {@code null} if it is not that. */
  static String ollamaError(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return OllamaJson.error(JsonValues.object(body, "error"));
    } catch (MalformedResponseException e) {
      return null;
    }
  }

  /** Ollama's {@code {"error": "..."}} text, or the body itself if it is not that. */
  static String serverMessage(String body) {
    if (body == null || body.isBlank()) {
      return "no details";
    }
    String error = ollamaError(body);
    return error != null ? error : OllamaJson.abbreviate(body);
  }

  /** The exception for a failure of the transport (connect, send, receive). */
  LlmException forTransport(Throwable failure, String model) {
    Throwable cause = unwrap(failure);
    String subject = model == null ? "" : " (model '" + model + "')";
    if (cause instanceof LlmException llm) {
      return llm;
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return new LlmTimeoutException(
          "Connecting to Ollama at "
              + host
              + " timed out after "
              + connectTimeout.toMillis()
              + " ms"
              + subject
              + ". Is the host reachable? ("
              + OllamaConfig.CONNECT_TIMEOUT
              + ")"
              + (isHttps() ? PLAIN_HTTP_HINT : ""),
          cause);
    }
    Throwable tls = cause;
    while (tls != null && !(tls instanceof SSLException)) {
      tls = tls.getCause();
    }
    if (tls != null) {
      return new LlmConnectionException(
          "TLS with Ollama at "
              + host
              + " failed"
              + subject
              + ": "
              + describe(tls)
              + PLAIN_HTTP_HINT,
          cause);
    }
    if (cause instanceof HttpTimeoutException) {
      // the HTTP client's own timer, set to the request timeout, may fire before the client's
      return new LlmTimeoutException(
          "Ollama at "
              + host
              + " did not answer within "
              + requestTimeout.toMillis()
              + " ms"
              + subject
              + " ("
              + OllamaConfig.REQUEST_TIMEOUT
              + ")",
          cause);
    }
    if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException) {
      return new LlmConnectionException(
          "Cannot connect to Ollama at "
              + host
              + subject
              + ": "
              + describe(cause)
              + ". Is Ollama running? Start it with 'ollama serve', or point "
              + OllamaConfig.OLLAMA_HOST_ENV
              + " (or the setting '"
              + OllamaConfig.HOST
              + "') at the address it listens on.",
          cause);
    }
    if (cause instanceof IOException) {
      return new LlmConnectionException(
          "The connection to Ollama at " + host + " failed" + subject + ": " + describe(cause),
          cause);
    }
    return new LlmException(
        "Calling Ollama at " + host + " failed" + subject + ": " + describe(cause), cause);
  }

  /**
   * A plain-HTTP server (Ollama's own) does not answer a TLS handshake: it either fails it at once
   * or waits for a request line until the connect timeout.
   */
  private static final String PLAIN_HTTP_HINT =
      ". A plain-HTTP server (as Ollama is by default) does not speak TLS: use http://";

  private boolean isHttps() {
    return "https".equals(host.getScheme());
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    // the JDK wraps a refused connection as ConnectException(cause=ConnectException) or as
    // IOException(cause=ConnectException); find the most specific one
    Throwable inner = cause;
    while (inner != null) {
      if (inner instanceof ConnectException
          || inner instanceof HttpConnectTimeoutException
          || inner instanceof UnresolvedAddressException) {
        return inner;
      }
      inner = inner.getCause();
    }
    return cause;
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      // the JDK's HTTP client reports a host name that does not resolve, and a refused connection,
      // as a ConnectException without text; only the first has an UnresolvedAddressException
      if (cause instanceof UnresolvedAddressException
          || cause.getCause() instanceof UnresolvedAddressException) {
        return "the host name does not resolve";
      }
      return cause instanceof ConnectException
          ? "connection refused"
          : cause.getClass().getSimpleName();
    }
    return message + " (" + cause.getClass().getSimpleName() + ")";
  }
}
