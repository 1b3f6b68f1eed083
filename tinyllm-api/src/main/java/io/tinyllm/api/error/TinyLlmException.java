package io.tinyllm.api.error;

/**
 * Base of every exception TinyLLM throws on purpose. Its message is meant for a user: it names the
 * problem and, where there is one, what to do about it.
 */
public class TinyLlmException extends RuntimeException {
  public TinyLlmException(String message) {
    super(message);
  }

  public TinyLlmException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * What kind of failure this is; its {@link ErrorType#label()} is the {@code error_type} label
   * ({@code connection}, {@code timeout}, {@code model_not_found}, ...).
   */
  public ErrorType errorType() {
    return ErrorType.INTERNAL;
  }
}
