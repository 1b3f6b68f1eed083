package io.tinyllm.ollama;

import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every callback of a stream, in order. */
class RecordingListener implements StreamListener {
  final List<String> tokens = new CopyOnWriteArrayList<>();
  final List<String> thinking = new CopyOnWriteArrayList<>();
  final List<Object> terminal = new CopyOnWriteArrayList<>();
  final CountDownLatch firstToken = new CountDownLatch(1);
  final CountDownLatch ended = new CountDownLatch(1);
  volatile boolean tokenAfterEnd;

  @Override
  public void onToken(String token) {
    if (!terminal.isEmpty()) {
      tokenAfterEnd = true;
    }
    tokens.add(token);
    firstToken.countDown();
  }

  @Override
  public void onThinking(String text) {
    thinking.add(text);
    firstToken.countDown();
  }

  @Override
  public void onComplete(LlmResponse response) {
    terminal.add(response);
    ended.countDown();
  }

  @Override
  public void onError(LlmException error) {
    terminal.add(error);
    ended.countDown();
  }

  void awaitFirstToken() throws InterruptedException {
    if (!firstToken.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no token within 10 s");
    }
  }

  void awaitEnd() throws InterruptedException {
    if (!ended.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("stream did not end within 10 s");
    }
  }

  String text() {
    return String.join("", tokens);
  }
}
