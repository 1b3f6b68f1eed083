package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The request options fixed when a model is loaded (Ollama's {@code api.Runner}: {@code num_ctx},
 * {@code num_batch}, {@code num_gpu}, {@code main_gpu}, {@code use_mmap}, {@code num_thread}). A
 * request whose runner options differ from the loaded model's reloads it.
 *
 * @param numCtx the context size (at least 4, as Ollama's scheduler enforces)
 * @param numBatch the batch size (Ollama's default 512)
 * @param numGpu layers on the GPU; negative lets the server decide (Ollama's default -1)
 * @param mainGpu the main GPU index
 * @param useMmap whether to map the weights, or null for the server's choice
 * @param numThread threads, 0 for the runtime's choice
 */
record RunnerOptions(
    int numCtx, int numBatch, int numGpu, int mainGpu, Boolean useMmap, int numThread) {

  /** Reads the runner options of {@code options} (null: none given). */
  static RunnerOptions parse(ObjectNode options, int defaultNumCtx) {
    OptionTypes.check(options);
    // defaults of api.DefaultOptions() in Ollama v0.13.5 api/types.go
    int numCtx = integer(options, "num_ctx", defaultNumCtx);
    int numBatch = integer(options, "num_batch", 512);
    int numGpu = integer(options, "num_gpu", -1);
    int mainGpu = integer(options, "main_gpu", 0);
    int numThread = integer(options, "num_thread", 0);
    Boolean useMmap = null;
    JsonNode mmap = options == null ? null : options.get("use_mmap");
    if (mmap != null && !mmap.isNull()) {
      useMmap = mmap.asBoolean();
    }
    // Scheduler.GetRunner in Ollama v0.13.5 server/sched.go raises num_ctx to at least 4
    return new RunnerOptions(Math.max(4, numCtx), numBatch, numGpu, mainGpu, useMmap, numThread);
  }

  /**
   * Whether a runner loaded with these options must be reloaded to serve {@code requested}: any
   * difference counts, except {@code num_gpu} when the request leaves it to the server (negative),
   * as {@code runnerRef.needsReload} in Ollama v0.13.5 server/sched.go.
   */
  boolean needsReloadFor(RunnerOptions requested) {
    RunnerOptions loaded = this;
    if (requested.numGpu() < 0) {
      loaded = new RunnerOptions(numCtx, numBatch, -1, mainGpu, useMmap, numThread);
    }
    return !loaded.equals(requested);
  }

  /** Whether the model runs on the CPU only ({@code num_gpu: 0}). */
  boolean cpuOnly() {
    return numGpu == 0;
  }

  private static int integer(ObjectNode options, String key, int absent) {
    JsonNode node = options == null ? null : options.get(key);
    if (node == null || node.isNull()) {
      return absent;
    }
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, node.asDouble()));
  }
}
