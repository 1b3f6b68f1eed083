package io.tinyllm.executor.queue;

/**
 * What a shutdown did: requests that still ran after shutdown began ({@code drained}) and those
 * still queued when the drain timeout passed, rejected unrun ({@code dropped}).
 */
public record ShutdownReport(int drained, int dropped, boolean terminated) {}
