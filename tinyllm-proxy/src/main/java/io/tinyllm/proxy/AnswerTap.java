package io.tinyllm.proxy;

/** Where the pieces of an answer go on the side: a JSON reader, an SSE reader over one, or none. */
final class AnswerTap {
  static final AnswerTap NONE = new AnswerTap(null, null);

  private final SseAnswerReader sse;
  private final JsonAnswerReader json;
  private final AnswerRecording recording;

  private AnswerTap(SseAnswerReader sse, JsonAnswerReader json) {
    this(sse, json, null);
  }

  private AnswerTap(SseAnswerReader sse, JsonAnswerReader json, AnswerRecording recording) {
    this.sse = sse;
    this.json = json;
    this.recording = recording;
  }

  /** This tap, also passing every piece to {@code recording} (for the response cache). */
  AnswerTap recordingTo(AnswerRecording recording) {
    return new AnswerTap(sse, json, recording);
  }

  static AnswerTap json(JsonAnswerReader json) {
    return new AnswerTap(null, json);
  }

  static AnswerTap sse(SseAnswerReader sse, JsonAnswerReader json) {
    return new AnswerTap(sse, json);
  }

  void feed(byte[] piece, int length) {
    if (recording != null) {
      recording.feed(piece, length);
    }
    if (sse != null) {
      sse.feed(piece, 0, length);
    } else if (json != null) {
      json.feed(piece, 0, length);
    }
  }

  void end() {
    if (sse != null) {
      sse.end();
    } else if (json != null) {
      json.end();
    }
  }

  boolean malformed() {
    return json != null && json.failed();
  }

  boolean doneMarker() {
    return sse != null && sse.doneMarker();
  }
}
