package io.tinyllm.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.exceptions.OllamaException;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResponseModel;
import io.github.ollama4j.models.generate.OllamaGenerateRequest;
import io.github.ollama4j.models.generate.OllamaGenerateStreamObserver;
import io.github.ollama4j.models.request.ThinkMode;
import io.github.ollama4j.utils.Options;
import io.github.ollama4j.utils.OptionsBuilder;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.ollama.Chunk;
import io.tinyllm.ollama.ChunkReader;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Item 5 of issue #9: the client-side cost of one streamed answer of {@code tokens} tokens, through
 * our {@link OllamaClient} against ollama4j 1.1.6 and langchain4j-ollama 1.11.0, on the same
 * simulator stream; {@code bare} is a floor: a reused JDK {@link HttpClient} reading the lines and
 * parsing each with Jackson, with nothing else; {@code bareBlocking} another: the body read by the
 * calling thread itself over {@link HttpURLConnection} (no selector thread, no queue between
 * threads) and fed to the client's {@link ChunkReader}.
 *
 * <p><b>What is measured.</b> The simulator runs in a JVM of its own ({@link SimulatorProcess}, no
 * simulated delay), so the benchmark process holds only the client. The primary score is wall time
 * per streamed answer, which includes waiting for the simulator on the same two cores; the figure
 * the goal is about is the client's CPU, {@code cpu.time.per.token} from {@link ProcessCpuProfiler}
 * (run with {@code -prof io.tinyllm.benchmarks.ProcessCpuProfiler}): all CPU of the benchmark
 * process (every client thread, GC and JIT included) divided by operations and by {@code tokens}.
 * With {@code tokens} 32 and 512 the per-request part can be separated from the per-token one: the
 * marginal cost of a token is {@code (cpu(512) - cpu(32)) / 480}.
 *
 * <p><b>Fairness.</b> All clients ask the same model for the same prompt with the same options
 * ({@code temperature 0}, {@code num_predict = tokens}) on the same endpoint ({@code /api/chat} in
 * the {@code chat*} benchmarks, {@code /api/generate} in the {@code generate*} ones); each builds
 * its request per call, as an application would, and waits until the stream has ended. Each client
 * object is created once per trial and reused (ollama4j creates a JDK {@code HttpClient} per call
 * inside {@code chat} and {@code generate}; that is the library's own cost). Every call counts the
 * tokens its callback received and fails if it is not {@code tokens}; the setup of every fork
 * streams once through its client and once through {@code chatBare} and fails unless both received
 * the same text, token for token. Every library runs with its defaults (ollama4j records its
 * Prometheus metrics on every call, as ours does; both peers use the JDK client's default HTTP
 * version, ours and {@code bare} HTTP/1.1), our rate limiter is off as in the other client
 * benchmarks, circuit breaker, retries, idle timeout and metrics stay on. No SLF4J provider is on
 * the class path, so nobody logs.
 *
 * <p>With no simulated delay the simulator writes lines as fast as it can, so the client usually
 * reads several in one socket read; a paced stream (a real model, 20-200 tokens/s) wakes the client
 * once per token and costs more per token in every client alike.
 *
 * <p>Latest figures (2026-11-28, 01:02–01:19 UTC; KVM guest, 2 vCPUs Intel Xeon family 6 model 207;
 * OpenJDK 17.0.15; JMH 1.37; {@code -f 1 -wi 12 -w 2s -i 5 -r 2s -p tokens=512 -prof gc -prof
 * io.tinyllm.benchmarks.ProcessCpuProfiler}, with {@code -jvmArgsAppend
 * -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} as {@code tinyllm} runs; load 3.6; the
 * JDK's defaults and the details are in {@code docs/performance.md}, item 5), the client's CPU per
 * token of a 512-token answer:
 *
 * <pre>
 * chatOurs                      3502.8 ±  2045.9 ns/token
 * chatOursUninstrumented        3510.5 ±  2102.2 ns/token
 * chatOllama4j                 17216.4 ± 27903.1 ns/token
 * chatLangchain4j               3595.4 ±  2536.3 ns/token
 * chatBare                      2903.3 ±  2139.8 ns/token
 * generateOurs                  3294.1 ±  2224.1 ns/token
 * generateOursUninstrumented    3498.4 ±  1196.9 ns/token
 * generateOllama4j              6261.7 ±  1208.9 ns/token
 * generateLangchain4j           3089.3 ±  2912.8 ns/token
 * generateBare                  2786.3 ±  2746.5 ns/token
 * </pre>
 *
 * <p>Since then the client reads answers with {@link ChunkReader}. Runs I and J (2026-12-06, load
 * up to 12 from other builds; {@code -jvmArgsAppend -XX:-UseDynamicNumberOfCompilerThreads}, one
 * benchmark per JMH run, paths alternating), CPU per token less the JIT's compiler threads ({@code
 * cpu.nojit.per.token}), chat: ours 4 417 and 4 688 ns, langchain4j 5 319 and 4 632 ns, bare 3 524
 * and 3 717 ns, bareBlocking 1 818 ns; half of ours, langchain4j's and bare's is the JDK {@code
 * HttpClient}'s own threads. Details in {@code docs/performance.md}, item 5.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamingPeersBenchmark {
  private static final String MODEL = "qwen2.5:0.5b";

  /** Tokens per streamed answer. */
  @Param({"32", "512"})
  public int tokens;

  private final ObjectMapper mapper = new ObjectMapper();
  private SimulatorProcess simulator;
  private String prompt;

  private OllamaClient ours;
  private OllamaClient oursUninstrumented;
  private GenerationOptions oursOptions;
  private Ollama ollama4j;
  private Options ollama4jOptions;
  private OllamaStreamingChatModel langchain4jChat;
  private OllamaStreamingLanguageModel langchain4jGenerate;
  private HttpClient bare;
  private HttpRequest bareChat;
  private HttpRequest bareGenerate;
  private byte[] bareChatBody;
  private byte[] bareGenerateBody;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws Exception {
    simulator = SimulatorProcess.start(tokens);
    prompt = SimulatorProcess.prompt(tokens);
    URI base = simulator.baseUri();

    OllamaConfig oursConfig =
        OllamaConfig.from(
            Settings.of(
                Map.of("ollama.host", base.toString(), "ollama.rate-limit.enabled", "false")));
    ours = OllamaClient.create(oursConfig);
    oursUninstrumented = new OllamaClient(oursConfig, OllamaMetrics.disabled());
    oursOptions = GenerationOptions.builder().temperature(0.0).numPredict(tokens).build();

    ollama4j = new Ollama(base.toString());
    ollama4jOptions = new OptionsBuilder().setTemperature(0f).setNumPredict(tokens).build();

    langchain4jChat =
        OllamaStreamingChatModel.builder()
            .baseUrl(base.toString())
            .modelName(MODEL)
            .temperature(0.0)
            .numPredict(tokens)
            .build();
    langchain4jGenerate =
        OllamaStreamingLanguageModel.builder()
            .baseUrl(base.toString())
            .modelName(MODEL)
            .temperature(0.0)
            .numPredict(tokens)
            .build();

    bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String options = "\"options\":{\"temperature\":0.0,\"num_predict\":" + tokens + "}";
    bareChat =
        bareRequest(
            base.resolve("/api/chat"),
            "{\"model\":\""
                + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt
                + "\"}],\"stream\":true,"
                + options
                + "}");
    bareGenerate =
        bareRequest(
            base.resolve("/api/generate"),
            "{\"model\":\""
                + MODEL
                + "\",\"prompt\":\""
                + prompt
                + "\",\"stream\":true,"
                + options
                + "}");

    bareChatBody = bodyOf(bareChat);
    bareGenerateBody = bodyOf(bareGenerate);

    String benchmark = params.getBenchmark();
    verifySameStream(benchmark.substring(benchmark.lastIndexOf('.') + 1));
    ProcessCpuProfiler.unitsPerOperation("token", tokens);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.close();
    oursUninstrumented.close();
    simulator.close();
  }

  // ---- /api/chat ------------------------------------------------------------------------------

  @Benchmark
  public Tokens chatOurs() {
    return oursChat(ours, new Tokens());
  }

  /** Ours with {@link OllamaMetrics#disabled()}: the difference is what instrumentation costs. */
  @Benchmark
  public Tokens chatOursUninstrumented() {
    return oursChat(oursUninstrumented, new Tokens());
  }

  @Benchmark
  public Tokens chatOllama4j() throws OllamaException {
    return ollama4jChat(new Tokens());
  }

  @Benchmark
  public Tokens chatLangchain4j() {
    return langchain4jChat(new Tokens());
  }

  @Benchmark
  public Tokens chatBare() throws IOException, InterruptedException {
    return bare(bareChat, true, new Tokens());
  }

  /**
   * A floor without hand-offs: the body read on the calling thread, parsed by the client's reader.
   */
  @Benchmark
  public Tokens chatBareBlocking() throws IOException {
    return bareBlocking(bareChat, new Tokens());
  }

  // ---- /api/generate --------------------------------------------------------------------------

  @Benchmark
  public Tokens generateOurs() {
    return oursGenerate(ours, new Tokens());
  }

  /** Ours with {@link OllamaMetrics#disabled()}: the difference is what instrumentation costs. */
  @Benchmark
  public Tokens generateOursUninstrumented() {
    return oursGenerate(oursUninstrumented, new Tokens());
  }

  @Benchmark
  public Tokens generateOllama4j() throws OllamaException {
    return ollama4jGenerate(new Tokens());
  }

  @Benchmark
  public Tokens generateLangchain4j() {
    return langchain4jGenerate(new Tokens());
  }

  @Benchmark
  public Tokens generateBare() throws IOException, InterruptedException {
    return bare(bareGenerate, false, new Tokens());
  }

  /**
   * A floor without hand-offs: the body read on the calling thread, parsed by the client's reader.
   */
  @Benchmark
  public Tokens generateBareBlocking() throws IOException {
    return bareBlocking(bareGenerate, new Tokens());
  }

  // ---- the clients ----------------------------------------------------------------------------

  private Tokens oursChat(OllamaClient client, Tokens sink) {
    ChatRequest request =
        ChatRequest.of(MODEL, List.of(ChatMessage.user(prompt))).withOptions(oursOptions);
    client.chatStream(request, oursListener(sink)).completion().join();
    return sink.check(tokens);
  }

  private Tokens oursGenerate(OllamaClient client, Tokens sink) {
    GenerateRequest request = GenerateRequest.builder(MODEL, prompt).options(oursOptions).build();
    client.generateStream(request, oursListener(sink)).completion().join();
    return sink.check(tokens);
  }

  private static StreamListener oursListener(Tokens sink) {
    return sink::accept;
  }

  private Tokens ollama4jChat(Tokens sink) throws OllamaException {
    OllamaChatRequest request =
        OllamaChatRequest.builder()
            .withModel(MODEL)
            .withMessage(OllamaChatMessageRole.USER, prompt)
            .withOptions(ollama4jOptions)
            .build();
    ollama4j.chat(request, (OllamaChatResponseModel chunk) -> acceptChat(sink, chunk));
    return sink.check(tokens);
  }

  private static void acceptChat(Tokens sink, OllamaChatResponseModel chunk) {
    if (!chunk.isDone() && chunk.getMessage() != null) {
      sink.accept(chunk.getMessage().getResponse());
    }
  }

  private Tokens ollama4jGenerate(Tokens sink) throws OllamaException {
    OllamaGenerateRequest request =
        OllamaGenerateRequest.builder()
            .withModel(MODEL)
            .withPrompt(prompt)
            .withOptions(ollama4jOptions)
            .withThink(ThinkMode.DISABLED) // generate() fails on a null think mode
            .withStreaming(true)
            .build();
    ollama4j.generate(request, new OllamaGenerateStreamObserver(null, sink::accept));
    return sink.check(tokens);
  }

  private Tokens langchain4jChat(Tokens sink) {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    langchain4jChat.chat(
        List.of(UserMessage.from(prompt)),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String token) {
            sink.accept(token);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    done.join();
    return sink.check(tokens);
  }

  private Tokens langchain4jGenerate(Tokens sink) {
    CompletableFuture<Response<String>> done = new CompletableFuture<>();
    langchain4jGenerate.generate(
        prompt,
        new StreamingResponseHandler<String>() {
          @Override
          public void onNext(String token) {
            sink.accept(token);
          }

          @Override
          public void onComplete(Response<String> response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    done.join();
    return sink.check(tokens);
  }

  private Tokens bare(HttpRequest request, boolean chat, Tokens sink)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> response =
        bare.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("the simulator answered " + response.statusCode());
      }
      // read to the end of the body, past the final chunk, so the connection goes back to the pool
      String line;
      boolean done = false;
      while ((line = lines.readLine()) != null) {
        JsonNode chunk = mapper.readTree(line);
        done |= chunk.path("done").asBoolean();
        if (!done) {
          sink.accept(
              (chat ? chunk.path("message").path("content") : chunk.path("response")).asText());
        }
      }
      if (!done) {
        throw new IllegalStateException("the stream ended without its final chunk");
      }
    }
    return sink.check(tokens);
  }

  /**
   * The same request over {@link HttpURLConnection}: the socket is read on the calling thread (no
   * selector, no queue between threads), and each read fed to the client's {@link ChunkReader}.
   */
  private Tokens bareBlocking(HttpRequest request, Tokens sink) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) request.uri().toURL().openConnection(Proxy.NO_PROXY);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    byte[] body = request == bareChat ? bareChatBody : bareGenerateBody;
    connection.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    if (connection.getResponseCode() != 200) {
      throw new IllegalStateException("the simulator answered " + connection.getResponseCode());
    }
    ChunkReader reader = ChunkReader.keepingContent(Integer.MAX_VALUE);
    byte[] buffer = new byte[16 * 1024];
    boolean done = false;
    // read to the end of the body, past the final chunk, so the connection goes back to the pool
    try (InputStream in = connection.getInputStream()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        reader.feed(buffer, 0, n);
        for (Chunk chunk; (chunk = reader.next()) != null; ) {
          done |= chunk.done();
          if (!done) {
            sink.accept(chunk.text());
          }
        }
      }
    }
    if (!done) {
      throw new IllegalStateException("the stream ended without its final chunk");
    }
    return sink.check(tokens);
  }

  /** The body {@code request} sends, as bytes. */
  private static byte[] bodyOf(HttpRequest request) {
    List<ByteBuffer> parts = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    request
        .bodyPublisher()
        .orElseThrow()
        .subscribe(
            new Flow.Subscriber<ByteBuffer>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(ByteBuffer item) {
                parts.add(item);
              }

              @Override
              public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
              }

              @Override
              public void onComplete() {
                done.complete(null);
              }
            });
    done.join();
    int length = parts.stream().mapToInt(ByteBuffer::remaining).sum();
    ByteBuffer all = ByteBuffer.allocate(length);
    parts.forEach(all::put);
    return all.array();
  }

  private static HttpRequest bareRequest(URI uri, String body) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /**
   * Streams once through the bare reader and once through the client {@code benchmark} measures,
   * and fails unless both received the same {@code tokens} tokens, so that no client is measured
   * doing less work than another (every fork checks its own client against the same reference).
   * Only the measured client runs in its fork, so the others leave no type profiles behind.
   */
  private void verifySameStream(String benchmark) throws Exception {
    List<String> reference = bare(bareChat, true, Tokens.recording()).received();
    Tokens measured =
        switch (benchmark) {
          case "chatOurs" -> oursChat(ours, Tokens.recording());
          case "chatOursUninstrumented" -> oursChat(oursUninstrumented, Tokens.recording());
          case "chatOllama4j" -> ollama4jChat(Tokens.recording());
          case "chatLangchain4j" -> langchain4jChat(Tokens.recording());
          case "chatBare" -> bare(bareChat, true, Tokens.recording());
          case "chatBareBlocking" -> bareBlocking(bareChat, Tokens.recording());
          case "generateOurs" -> oursGenerate(ours, Tokens.recording());
          case "generateOursUninstrumented" -> oursGenerate(oursUninstrumented, Tokens.recording());
          case "generateOllama4j" -> ollama4jGenerate(Tokens.recording());
          case "generateLangchain4j" -> langchain4jGenerate(Tokens.recording());
          case "generateBare" -> bare(bareGenerate, false, Tokens.recording());
          case "generateBareBlocking" -> bareBlocking(bareGenerate, Tokens.recording());
          default -> throw new IllegalStateException("unknown benchmark " + benchmark);
        };
    if (!measured.received().equals(reference)) {
      throw new IllegalStateException(
          benchmark + " received " + measured.received() + ", the bare reader " + reference);
    }
    System.out.printf(
        "%n[stream] %s: %d tokens, %d characters, identical to the bare reader's%n",
        benchmark, reference.size(), String.join("", reference).length());
  }

  /** What one call's token callback saw: a count and a length, plus the tokens when recording. */
  public static final class Tokens {
    private final List<String> received;
    private int count;
    private long characters;

    Tokens() {
      this(null);
    }

    private Tokens(List<String> received) {
      this.received = received;
    }

    static Tokens recording() {
      return new Tokens(new ArrayList<>());
    }

    void accept(String token) {
      if (token == null || token.isEmpty()) {
        return;
      }
      count++;
      characters += token.length();
      if (received != null) {
        received.add(token);
      }
    }

    Tokens check(int expected) {
      if (count != expected) {
        throw new IllegalStateException("received " + count + " tokens, expected " + expected);
      }
      return this;
    }

    List<String> received() {
      return received;
    }

    public long characters() {
      return characters;
    }
  }
}
