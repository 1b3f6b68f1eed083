package io.tinyllm.api.graph;

/** Runs a graph of LLM nodes on an input and returns its output. */
public interface GraphExecutor {
  GraphResult execute(String graphId, String input);
}
