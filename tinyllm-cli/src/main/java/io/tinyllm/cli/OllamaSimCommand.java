package io.tinyllm.cli;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.ollama.sim.FaultFlags;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm ollama-sim}: the built-in Ollama simulator as a standalone server. */
@Command(
    name = "ollama-sim",
    description = {
      "Run the built-in Ollama simulator: Ollama's HTTP API with deterministic answers, no model"
          + " weights needed. Point OLLAMA_HOST (or --ollama) at it.",
      "The fault options inject what the simulator's Java API can (FaultInjector)."
    },
    modelTransformer = OllamaSimCommand.FaultOptions.class,
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm ollama-sim &                          # on Ollama's port, 11434",
      "  tinyllm ollama-sim --port 0 --time-scale 0    # a free port, no simulated delays",
      "  tinyllm ollama-sim --num-parallel 4 --duration 10m",
      "  tinyllm ollama-sim --fail-next 2              # the next two calls answer 500"
    })
final class OllamaSimCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      converter = PortConverter.class,
      description = "Port to listen on (default ${DEFAULT-VALUE}, Ollama's; 0 picks a free one).")
  int port = SimulatorConfig.OLLAMA_PORT;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
  String addr = "127.0.0.1";

  @Option(
      names = "--time-scale",
      paramLabel = "FACTOR",
      converter = NonNegativeNumberConverter.class,
      description = "Multiply simulated delays (load, first token, token rate); 0 for none.")
  double timeScale = 1.0;

  @Option(
      names = {"--num-parallel", "--max-parallel"},
      paramLabel = "N",
      description =
          "Requests each loaded model serves at once, as OLLAMA_NUM_PARALLEL; more wait"
              + " (default ${DEFAULT-VALUE}).")
  int numParallel = 1;

  @Option(
      names = "--max-queue",
      paramLabel = "N",
      description =
          "Requests that may wait for a model load before 503, as OLLAMA_MAX_QUEUE"
              + " (default ${DEFAULT-VALUE}).")
  int maxQueue = 512;

  @Mixin DurationOption duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    SimulatorConfig config;
    FaultFlags faults = new FaultFlags();
    try {
      for (FaultFlags.Flag flag : FaultFlags.FLAGS) {
        String value = spec.findOption(flag.name()).getValue();
        if (value != null) {
          faults.set(flag.name(), value);
        }
      }
      config =
          faults
              .configure(SimulatorConfig.builder())
              .bindAddress(addr)
              .port(port)
              .timeScale(timeScale)
              .numParallel(numParallel)
              .maxQueue(maxQueue)
              .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    try (StopSignal stop = StopSignal.install();
        OllamaSimulator simulator = start(config)) {
      faults.applyTo(simulator.faults());
      spec.commandLine().getOut().println("Ollama simulator listening on " + simulator.baseUri());
      spec.commandLine().getOut().flush();
      stop.await(runFor);
    }
    return ExitCodes.OK;
  }

  /**
   * Adds one string option per {@link FaultFlags#FLAGS}, so this command and the simulator's own
   * {@code main} accept exactly the same fault flags; their values are checked in {@link #call()}.
   */
  static final class FaultOptions implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      for (FaultFlags.Flag flag : FaultFlags.FLAGS) {
        spec.addOption(
            OptionSpec.builder(flag.name())
                .paramLabel(flag.label())
                .description(flag.help())
                .type(String.class)
                .build());
      }
      return spec;
    }
  }

  private OllamaSimulator start(SimulatorConfig config) {
    try {
      return OllamaSimulator.start(config);
    } catch (BindException e) {
      throw new TinyLlmException(
          "Port "
              + port
              + " on "
              + addr
              + " is already in use (is Ollama running?): stop it or choose another --port");
    } catch (IOException e) {
      throw new TinyLlmException("Cannot start the Ollama simulator: " + e.getMessage(), e);
    }
  }
}
