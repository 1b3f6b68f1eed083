package io.tinyllm.api.error;

/** A setting is missing or has a value that cannot be used; the message names key and value. */
public class ConfigException extends TinyLlmException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.CONFIG;
  }
}
