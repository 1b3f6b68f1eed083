package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What every handler shares: configuration, model store, answer source, scheduler, pacing and
 * counters. One per simulator.
 */
final class SimulatorContext {
  final SimulatorConfig config;
  final ObjectMapper mapper;
  final ModelRegistry registry;
  final AnswerGenerator answers;
  final Scheduler scheduler;
  final Pacer pacer;
  final SimulatorStats stats;
  final FaultInjector faults;

  SimulatorContext(
      SimulatorConfig config,
      ObjectMapper mapper,
      ModelRegistry registry,
      AnswerGenerator answers,
      Scheduler scheduler,
      Pacer pacer,
      SimulatorStats stats,
      FaultInjector faults) {
    this.config = requireNonNull(config, "config is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.answers = requireNonNull(answers, "answers is null");
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.pacer = requireNonNull(pacer, "pacer is null");
    this.stats = requireNonNull(stats, "stats is null");
    this.faults = requireNonNull(faults, "faults is null");
  }
}
