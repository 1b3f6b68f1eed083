package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.ResponseTooLargeException;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into a UTF-8 string of at most {@code maxBytes}: the JDK's {@code
 * BodyHandlers.ofString()} has no bound, so an endless body would grow the heap until it runs out.
 * A body that declares a larger {@code Content-Length}, or sends more, fails with {@link
 * ResponseTooLargeException} and the exchange is cancelled (the connection is closed).
 *
 * <pre>{@code
 * http.sendAsync(request, BoundedBody.handler(64 << 20, "POST /api/embed for model 'x'"));
 * }</pre>
 */
final class BoundedBody implements BodySubscriber<String> {
  private final int maxBytes;
  private final long declaredLength;
  private final String what;
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private byte[] bytes = new byte[1024];
  private int length;

  private BoundedBody(int maxBytes, long declaredLength, String what) {
    this.maxBytes = maxBytes;
    this.declaredLength = declaredLength;
    this.what = requireNonNull(what, "what is null");
  }

  /** The handler for an answer to {@code what} (for the message) of at most {@code maxBytes}. */
  static BodyHandler<String> handler(int maxBytes, String what) {
    return info ->
        new BoundedBody(
            maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1), what);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (declaredLength > maxBytes) {
      tooLarge(", Content-Length " + declaredLength);
      return;
    }
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      int n = buffer.remaining();
      if (n > maxBytes - length) {
        tooLarge("");
        return;
      }
      if (length + n > bytes.length) {
        bytes =
            Arrays.copyOf(bytes, (int) Math.min(maxBytes, Math.max(length + n, 2L * bytes.length)));
      }
      buffer.get(bytes, length, n);
      length += n;
    }
  }

  @Override
  public void onError(Throwable failure) {
    bytes = null;
    result.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    if (!result.isDone()) {
      result.complete(new String(bytes, 0, length, StandardCharsets.UTF_8));
    }
    bytes = null;
  }

  @Override
  public CompletionStage<String> getBody() {
    return result;
  }

  private void tooLarge(String detail) {
    subscription.cancel();
    bytes = null;
    result.completeExceptionally(tooLarge(maxBytes, what, detail));
  }

  /** The failure of an answer to {@code what} larger than {@code maxBytes}. */
  static ResponseTooLargeException tooLarge(int maxBytes, String what, String detail) {
    return new ResponseTooLargeException(
        "The answer to "
            + what
            + " is larger than the "
            + maxBytes
            + " bytes the client accepts (setting '"
            + OllamaConfig.MAX_RESPONSE_BYTES
            + "'"
            + detail
            + "); it was not read further");
  }
}
