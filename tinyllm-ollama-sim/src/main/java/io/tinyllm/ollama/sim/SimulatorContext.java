package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/**
 * What every handler shares: configuration, model store, answer source, admission control, pacing
 * and counters. One per simulator.
 */
final class SimulatorContext {
  final SimulatorConfig config;
  final ObjectMapper mapper;
  final ModelRegistry registry;
  final AnswerGenerator answers;
  final Admission admission;
  final Pacer pacer;
  final SimulatorStats stats;
  final FaultInjector faults;

  SimulatorContext(
      SimulatorConfig config,
      ObjectMapper mapper,
      ModelRegistry registry,
      AnswerGenerator answers,
      Admission admission,
      Pacer pacer,
      SimulatorStats stats,
      FaultInjector faults) {
    this.config = requireNonNull(config, "config is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.answers = requireNonNull(answers, "answers is null");
    this.admission = requireNonNull(admission, "admission is null");
    this.pacer = requireNonNull(pacer, "pacer is null");
    this.stats = requireNonNull(stats, "stats is null");
    this.faults = requireNonNull(faults, "faults is null");
  }

  /** The keep-alive of a request: its own, or the configured default. */
  Duration keepAlive(Duration requested) {
    return requested != null ? requested : config.defaultKeepAlive();
  }

  /**
   * Admits an inference request (503 when full), waiting for a slot if it is queued; pair with
   * {@link #leave()}. Counted in the stats from the moment it is queued.
   */
  void enter() {
    try {
      admission.reserve();
    } catch (ApiException e) {
      stats.recordBusy();
      throw e;
    }
    stats.enter();
    try {
      admission.await();
    } catch (ApiException e) {
      stats.leave();
      stats.recordBusy();
      throw e;
    }
  }

  /** Ends what {@link #enter()} began. */
  void leave() {
    stats.leave();
    admission.leave();
  }
}
