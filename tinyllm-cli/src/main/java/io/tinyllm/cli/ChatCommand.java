package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.executor.ExecutorConfig;
import io.tinyllm.executor.memory.ConversationMemory;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.metrics.TinyLlm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm chat}: a multi-turn conversation, answers streamed as they come. */
@Command(
    name = "chat",
    sortOptions = false,
    description = {
      "Chat with a model: each line read from stdin is a message, the answer streams to stdout.",
      "Commands: /exit (or end of input), /clear (forget the conversation), /history, /help.",
      "Works with piped input. Exit status: 0, or 1 when Ollama or the model is missing or a"
          + " turn failed."
    })
final class ChatCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = "The model to chat with (default: executor.default-model, qwen2.5:0.5b).")
  String model;

  @Option(names = "--system", paramLabel = "TEXT", description = "A system prompt.")
  String system;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      converter = NonNegativeNumberConverter.class,
      description = "Sampling temperature (default: the model's).")
  Double temperature;

  @Option(
      names = "--max-turns",
      paramLabel = "N",
      description = "Messages remembered; older ones are forgotten first (default 20).")
  Integer maxTurns;

  @Mixin OllamaOptions ollama;

  @Spec CommandSpec spec;

  /** Where messages come from; stdin unless a test sets it. */
  InputStream input = System.in;

  @Override
  public Integer call() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    if (maxTurns != null) {
      if (maxTurns < 1) {
        throw new UsageException("--max-turns must be at least 1, got " + maxTurns);
      }
      settings.put("memory.max-turns", maxTurns.toString());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean terminal = System.console() != null;
    int failures = 0;
    try (TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      String chatModel = model != null ? model : app.get(ExecutorConfig.class).defaultModel();
      ConversationMemoryFactory memories = app.get(ConversationMemoryFactory.class);
      ConversationMemory memory = system == null ? memories.create() : memories.create(system);
      LlmClient client = app.get(LlmClient.class);
      GenerationOptions options = GenerationOptions.builder().temperature(temperature).build();
      if (terminal) {
        err.println("Chatting with " + chatModel + ". /help lists commands, /exit ends.");
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
      while (true) {
        if (terminal) {
          err.print(">>> ");
          err.flush();
        }
        String line = reader.readLine();
        if (line == null) {
          break;
        }
        line = line.strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("/")) {
          if (!command(line, memory, out, err)) {
            break;
          }
          continue;
        }
        memory.add(ChatMessage.user(line));
        try {
          LlmResponse answer =
              client
                  .chatStream(
                      new ChatRequest(chatModel, memory.messages(), options, null, null, null),
                      new StreamListener() {
                        @Override
                        public void onToken(String token) {
                          out.print(token);
                          out.flush();
                        }
                      })
                  .completion()
                  .join();
          out.println();
          out.flush();
          memory.add(ChatMessage.assistant(answer.text()));
        } catch (CompletionException e) {
          out.println();
          out.flush();
          if (!(e.getCause() instanceof LlmException failure)) {
            throw e;
          }
          if (failure instanceof ModelNotFoundException
              || failure instanceof LlmConnectionException) {
            // nothing later can work either
            throw CliErrors.translate(failure, chatModel);
          }
          failures++;
          err.println("tinyllm: " + CliErrors.translate(failure, chatModel).getMessage());
          err.flush();
        }
      }
    }
    return failures == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  /** Runs a slash command; returns false to end the chat. */
  private static boolean command(
      String line, ConversationMemory memory, PrintWriter out, PrintWriter err) {
    switch (line.split("\\s+")[0]) {
      case "/exit", "/quit", "/bye" -> {
        return false;
      }
      case "/clear" -> {
        memory.clear();
        err.println("(conversation cleared)");
      }
      case "/history" -> {
        for (ChatMessage message : memory.messages()) {
          out.println(message.role().wireName() + ": " + message.content());
        }
        out.flush();
      }
      case "/help" ->
          err.println(
              "/exit ends the chat, /clear forgets the conversation, /history shows it, /help"
                  + " shows this");
      default -> err.println("Unknown command " + line.split("\\s+")[0] + "; /help lists them");
    }
    err.flush();
    return true;
  }
}
