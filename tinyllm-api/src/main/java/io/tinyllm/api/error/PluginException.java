package io.tinyllm.api.error;

/** A plug-in could not be discovered, loaded or wired. */
public class PluginException extends TinyLlmException {
  public PluginException(String message) {
    super(message);
  }

  public PluginException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.PLUGIN;
  }
}
