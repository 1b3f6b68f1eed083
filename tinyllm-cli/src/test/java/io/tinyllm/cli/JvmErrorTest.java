package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** An {@link Error} from the JVM is one line and exit 3; the trace only with --debug. */
class JvmErrorTest {
  /** Recurses until the stack overflows, as deeply nested input would. */
  @Command(name = "deep")
  static final class Deep implements Callable<Integer> {
    @Override
    public Integer call() {
      return depth(0);
    }

    private static int depth(int n) {
      return depth(n + 1) + 1;
    }
  }

  @Command(name = "oom")
  static final class OutOfMemory implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  /** The Error happens on another thread and arrives wrapped in the future, as a worker's does. */
  @Command(name = "worker-oom")
  static final class WorkerOutOfMemory implements Callable<Integer> {
    @Override
    public Integer call() {
      return CompletableFuture.<Integer>supplyAsync(
              () -> {
                throw new OutOfMemoryError("Java heap space");
              })
          .join();
    }
  }

  @Test
  void aStackOverflowIsOneLineAndExitThree() {
    Cli.Result result = new Cli().with("deep", new Deep()).execute("deep");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.JVM_ERROR).isEqualTo(3);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: stack overflow: the input nests too deeply (run with --debug for the"
                + " trace)\n");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void anOutOfMemoryErrorIsOneLineAndExitThree() {
    Cli.Result result = new Cli().with("oom", new OutOfMemory()).execute("oom");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: out of memory (Java heap space); give the JVM more with"
                + " TINYLLM_JAVA_OPTS=-Xmx..., or make the input smaller (run with --debug for"
                + " the trace)\n");
  }

  @Test
  void anErrorOnAWorkerThreadIsTheSameOneLine() {
    Cli.Result result = new Cli().with("worker-oom", new WorkerOutOfMemory()).execute("worker-oom");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .startsWith("tinyllm: out of memory (Java heap space); ")
        .hasLineCount(1);
  }

  @Test
  void debugAddsTheTrace() {
    Cli.Result deep = new Cli().with("deep", new Deep()).execute("--debug", "deep");
    Cli.Result worker =
        new Cli().with("worker-oom", new WorkerOutOfMemory()).execute("worker-oom", "--debug");

    assertThat(deep.exitCode()).isEqualTo(3);
    assertThat(deep.err())
        .startsWith("tinyllm: stack overflow: the input nests too deeply\n")
        .contains("java.lang.StackOverflowError", "at io.tinyllm.cli.JvmErrorTest$Deep.depth");
    assertThat(worker.exitCode()).isEqualTo(3);
    assertThat(worker.err())
        .startsWith("tinyllm: out of memory (Java heap space); ")
        .contains("java.util.concurrent.CompletionException: java.lang.OutOfMemoryError");
  }
}
