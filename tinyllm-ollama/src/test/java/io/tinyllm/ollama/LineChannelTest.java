package io.tinyllm.ollama;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.ResponseTooLargeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The body is split into lines right, whatever the network buffers' boundaries. */
class LineChannelTest {
  private static final Flow.Subscription NONE =
      new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      };

  @Test
  void splitsLinesAcrossBuffersAndDecodesCharactersSplitBetweenThem() throws Exception {
    byte[] body =
        "{\"response\":\"caf\u00e9 \u2603\"}\r\n\n{\"done\":true}\nlast without newline"
            .getBytes(StandardCharsets.UTF_8);
    // every way of cutting the body in two buffers, heap and direct
    for (boolean direct : new boolean[] {false, true}) {
      for (int cut = 0; cut <= body.length; cut++) {
        LineChannel channel = new LineChannel();
        channel.onSubscribe(NONE);
        channel.onNext(
            List.of(buffer(body, 0, cut, direct), buffer(body, cut, body.length, direct)));
        channel.onComplete();

        assertThat(drain(channel))
            .as("cut at %d, direct %s", cut, direct)
            .containsExactly(
                "{\"response\":\"caf\u00e9 \u2603\"}",
                "",
                "{\"done\":true}",
                "last without newline");
      }
    }
  }

  @Test
  void manyLinesInOneBufferAndOneLineOverManyCalls() throws Exception {
    LineChannel channel = new LineChannel();
    channel.onSubscribe(NONE);
    channel.onNext(List.of(ByteBuffer.wrap("a\nb\nc".getBytes(StandardCharsets.UTF_8))));
    for (char c : "defgh".toCharArray()) {
      channel.onNext(List.of(ByteBuffer.wrap(new byte[] {(byte) c})));
    }
    channel.onNext(List.of(ByteBuffer.wrap("\n".getBytes(StandardCharsets.UTF_8))));
    channel.onComplete();

    assertThat(drain(channel)).containsExactly("a", "b", "cdefgh");
  }

  @Test
  void aLineLongerThanTheLimitFailsTheExchangeInsteadOfGrowing() throws Exception {
    List<String> cancelled = new ArrayList<>();
    LineChannel channel = new LineChannel(16);
    channel.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {
            cancelled.add("cancelled");
          }
        });
    channel.onNext(List.of(ByteBuffer.wrap("short\n0123456789".getBytes(StandardCharsets.UTF_8))));
    channel.onNext(List.of(ByteBuffer.wrap("0123456789\n".getBytes(StandardCharsets.UTF_8))));
    channel.onComplete();

    assertThat(channel.poll(0)).isEqualTo("short");
    Object failure = channel.poll(0);
    assertThat(failure).isInstanceOf(LineChannel.Failure.class);
    assertThat(((LineChannel.Failure) failure).cause())
        .isInstanceOf(ResponseTooLargeException.class)
        .hasMessage(
            "A line of the streamed answer is longer than the 16 bytes the client accepts"
                + " (setting 'ollama.max-response-bytes')");
    assertThat(channel.poll(0)).as("nothing after the failure").isNull();
    assertThat(cancelled).containsExactly("cancelled");
  }

  @Test
  void asksForABoundedNumberOfReadsAndForOneMoreAsTheReaderTakesEach() throws Exception {
    DemandRecorder subscription = new DemandRecorder();
    LineChannel channel = new LineChannel();
    channel.onSubscribe(subscription);

    assertThat(subscription.requested).isEqualTo(LineChannel.PREFETCH);
    // the publisher sends what was asked for, and the reader has not read yet
    for (int i = 0; i < LineChannel.PREFETCH; i++) {
      channel.onNext(List.of(ByteBuffer.wrap(("a" + i + "\nb" + i + "\n").getBytes(UTF_8))));
    }
    assertThat(channel.queued()).isEqualTo(LineChannel.PREFETCH);
    assertThat(channel.unfilledDemand()).as("nothing more may be sent").isZero();

    assertThat(channel.poll(0)).isEqualTo("a0");
    assertThat(subscription.requested)
        .as("one more once a read is taken")
        .isEqualTo(LineChannel.PREFETCH + 1);
    assertThat(channel.poll(0)).isEqualTo("b0");
    assertThat(subscription.requested).isEqualTo(LineChannel.PREFETCH + 1);
    assertThat(channel.queued()).isEqualTo(LineChannel.PREFETCH - 1);
    assertThat(channel.unfilledDemand()).isEqualTo(1);

    channel.onNext(List.of(ByteBuffer.wrap("c\n".getBytes(UTF_8))));
    channel.onComplete();
    List<String> rest = drain(channel);
    assertThat(rest).containsExactly("a1", "b1", "a2", "b2", "a3", "b3", "c");
    assertThat(channel.maxQueued()).isEqualTo(LineChannel.PREFETCH);
    assertThat(subscription.cancelled).isFalse();
  }

  @Test
  void cancellingWakesTheReaderAtOnceAndAsksForNothingMore() throws Exception {
    DemandRecorder subscription = new DemandRecorder();
    LineChannel channel = new LineChannel();
    channel.onSubscribe(subscription);
    channel.onNext(List.of(ByteBuffer.wrap("a\nb\n".getBytes(UTF_8))));
    assertThat(channel.poll(0)).isEqualTo("a");
    long requested = subscription.requested;
    channel.onNext(List.of(ByteBuffer.wrap("c\n".getBytes(UTF_8))));

    channel.cancel();

    assertThat(channel.poll(TimeUnit.SECONDS.toNanos(5))).isSameAs(LineChannel.CANCELLED);
    assertThat(channel.poll(0)).as("nothing after the end").isNull();
    assertThat(subscription.cancelled).isTrue();
    assertThat(subscription.requested).isEqualTo(requested);
  }

  @Test
  void afterTheFinalChunkTheRestIsReadAndDropped() throws Exception {
    DemandRecorder subscription = new DemandRecorder();
    LineChannel channel = new LineChannel();
    channel.onSubscribe(subscription);
    channel.onNext(List.of(ByteBuffer.wrap("done\nextra\n".getBytes(UTF_8))));
    channel.onNext(List.of(ByteBuffer.wrap("more\n".getBytes(UTF_8))));
    assertThat(channel.poll(0)).isEqualTo("done");

    channel.discardRest();
    for (int i = 0; i < 10; i++) {
      channel.onNext(List.of(ByteBuffer.wrap("junk\n".getBytes(UTF_8))));
    }

    assertThat(subscription.requested).as("no longer bounded").isGreaterThan(1L << 60);
    assertThat(subscription.cancelled).as("the connection may be reused").isFalse();
    assertThat(channel.queued()).isZero();
    channel.onComplete();
    assertThat(channel.poll(0)).isSameAs(LineChannel.END);
  }

  @Test
  void aLastLineWithoutNewlineComesBeforeTheEnd() throws Exception {
    LineChannel channel = new LineChannel();
    channel.onSubscribe(NONE);
    channel.onNext(List.of(ByteBuffer.wrap("x\ny".getBytes(UTF_8))));
    channel.onComplete();

    assertThat(channel.poll(0)).isEqualTo("x");
    assertThat(channel.poll(0)).isEqualTo("y");
    assertThat(channel.poll(0)).isSameAs(LineChannel.END);
    assertThat(channel.poll(0)).isNull();
  }

  /** Sums the demand asked for; the subscriber must call it serially, so plain fields do. */
  private static final class DemandRecorder implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested = requested + n < 0 ? Long.MAX_VALUE : requested + n; // demand saturates
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private static ByteBuffer buffer(byte[] body, int from, int to, boolean direct) {
    ByteBuffer buffer =
        direct ? ByteBuffer.allocateDirect(to - from) : ByteBuffer.allocate(to - from);
    buffer.put(body, from, to - from).flip();
    return buffer;
  }

  private static List<String> drain(LineChannel channel) throws InterruptedException {
    List<String> lines = new ArrayList<>();
    while (true) {
      Object item = channel.poll(TimeUnit.SECONDS.toNanos(1));
      if (item == LineChannel.END) {
        return lines;
      }
      assertThat(item).isInstanceOf(String.class);
      lines.add((String) item);
    }
  }
}
