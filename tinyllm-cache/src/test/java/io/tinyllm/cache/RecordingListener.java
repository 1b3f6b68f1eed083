package io.tinyllm.cache;

import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every callback in order, as {@code token:...}, {@code complete:...}, {@code error:...}.
 */
final class RecordingListener implements StreamListener {
  final List<String> events = new ArrayList<>();

  @Override
  public void onToken(String token) {
    events.add("token:" + token);
  }

  @Override
  public void onThinking(String thinking) {
    events.add("thinking:" + thinking);
  }

  @Override
  public void onComplete(LlmResponse response) {
    events.add("complete:" + response.text());
  }

  @Override
  public void onError(LlmException error) {
    events.add("error:" + error.errorType());
  }
}
