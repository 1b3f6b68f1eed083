#!/usr/bin/env python3
"""Item 2 of issue #9: the Python project's metrics client, timed like the JMH suite.

Times, with Debian's python3-prometheus-client (the client the Python project used):

* the 12 metric updates of one instrumented streaming request (the same families, labels and
  buckets as MetricRecordingBenchmark), with ``labels()`` on every update and on children
  resolved once;
* the three single operations of ClientJavaReferenceBenchmark;
* exposing registries of 1k/10k/100k counter series (10 families, label ``series``), the
  shape ScrapeBenchmark's synthetic registries have.

Run:  /usr/bin/python3 benchmarks/python/bench_prometheus_client.py [--quick]
Prints one line per measurement: mean and standard deviation over the repeats, and the best.
"""

import platform
import statistics
import sys
import time
import timeit

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REQUEST_LATENCY_BUCKETS = (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300)
TTFT_BUCKETS = (.001, .005, .01, .02, .04, .06, .08, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10, 30,
                60, 120)
INTER_TOKEN_BUCKETS = (.001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .4, .5, .75, 1,
                       2.5)
TOKENS_PER_SECOND_BUCKETS = (1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000)

MODEL = "qwen2.5:0.5b"
GRAPH = "default"
PROMPT_TOKENS = 12
OUTPUT_TOKENS = 34
PROMPT_EVAL_SECONDS = 0.035
EVAL_SECONDS = 0.380


def families(registry):
    return {
        "requests": Counter("tinyllm_requests", "h", ["model", "graph", "request_type"],
                            registry=registry),
        "latency": Histogram("tinyllm_request_latency_seconds", "h", ["model", "graph"],
                             buckets=REQUEST_LATENCY_BUCKETS, registry=registry),
        "active": Gauge("tinyllm_active_requests", "h", ["model", "graph"], registry=registry),
        "input": Counter("tinyllm_tokens_input", "h", ["model", "graph"], registry=registry),
        "output": Counter("tinyllm_tokens_output", "h", ["model", "graph"], registry=registry),
        "ttft": Histogram("tinyllm_time_to_first_token_seconds", "h", ["model", "graph"],
                          buckets=TTFT_BUCKETS, registry=registry),
        "itl": Histogram("tinyllm_inter_token_latency_seconds", "h", ["model"],
                         buckets=INTER_TOKEN_BUCKETS, registry=registry),
        "tps": Histogram("tinyllm_output_tokens_per_second", "h", ["model"],
                         buckets=TOKENS_PER_SECOND_BUCKETS, registry=registry),
        "prompt_eval": Histogram("tinyllm_ollama_prompt_eval_duration_seconds", "h", ["model"],
                                 buckets=REQUEST_LATENCY_BUCKETS, registry=registry),
        "eval": Histogram("tinyllm_ollama_eval_duration_seconds", "h", ["model"],
                          buckets=REQUEST_LATENCY_BUCKETS, registry=registry),
        "outcomes": Counter("tinyllm_request_outcomes", "h", ["model", "outcome"],
                            registry=registry),
    }


def request_with_labels(m, now=time.perf_counter):
    start = now()
    m["requests"].labels(MODEL, GRAPH, "generate_stream").inc()
    m["active"].labels(MODEL, GRAPH).inc()
    first = now()
    m["ttft"].labels(MODEL, GRAPH).observe(first - start)
    second = now()
    m["itl"].labels(MODEL).observe(second - first)
    m["active"].labels(MODEL, GRAPH).dec()
    m["latency"].labels(MODEL, GRAPH).observe(now() - start)
    m["input"].labels(MODEL, GRAPH).inc(PROMPT_TOKENS)
    m["output"].labels(MODEL, GRAPH).inc(OUTPUT_TOKENS)
    m["prompt_eval"].labels(MODEL).observe(PROMPT_EVAL_SECONDS)
    m["eval"].labels(MODEL).observe(EVAL_SECONDS)
    m["tps"].labels(MODEL).observe(OUTPUT_TOKENS / EVAL_SECONDS)
    m["outcomes"].labels(MODEL, "success").inc()


def resolved_children(m):
    return {
        "requests": m["requests"].labels(MODEL, GRAPH, "generate_stream"),
        "active": m["active"].labels(MODEL, GRAPH),
        "ttft": m["ttft"].labels(MODEL, GRAPH),
        "itl": m["itl"].labels(MODEL),
        "latency": m["latency"].labels(MODEL, GRAPH),
        "input": m["input"].labels(MODEL, GRAPH),
        "output": m["output"].labels(MODEL, GRAPH),
        "prompt_eval": m["prompt_eval"].labels(MODEL),
        "eval": m["eval"].labels(MODEL),
        "tps": m["tps"].labels(MODEL),
        "success": m["outcomes"].labels(MODEL, "success"),
    }


def request_pre_resolved(c, now=time.perf_counter):
    start = now()
    c["requests"].inc()
    c["active"].inc()
    first = now()
    c["ttft"].observe(first - start)
    second = now()
    c["itl"].observe(second - first)
    c["active"].dec()
    c["latency"].observe(now() - start)
    c["input"].inc(PROMPT_TOKENS)
    c["output"].inc(OUTPUT_TOKENS)
    c["prompt_eval"].observe(PROMPT_EVAL_SECONDS)
    c["eval"].observe(EVAL_SECONDS)
    c["tps"].observe(OUTPUT_TOKENS / EVAL_SECONDS)
    c["success"].inc()


def synthetic_registry(series):
    registry = CollectorRegistry()
    counters = [Counter("bench_counter_%d" % f, "Synthetic counter family %d" % f, ["series"],
                        registry=registry) for f in range(10)]
    for i in range(series):
        counters[i % 10].labels("s%d" % i).inc(i)
    return registry


def report(name, fn, number, repeat, unit_scale, unit):
    fn()  # warm up caches and lazily created children
    times = [t / number * unit_scale for t in timeit.Timer(fn).repeat(repeat=repeat, number=number)]
    mean = statistics.mean(times)
    stdev = statistics.stdev(times) if len(times) > 1 else 0.0
    print("%-44s %12.3f ± %9.3f %s (best %.3f, %d × %d runs)"
          % (name, mean, stdev, unit, min(times), repeat, number))
    sys.stdout.flush()


def main():
    quick = "--quick" in sys.argv
    scale = 10 if quick else 1
    print("prometheus_client %s, Python %s, %s"
          % (getattr(prometheus_client, "__version__", "(Debian python3-prometheus-client)"),
             platform.python_version(), platform.platform()))

    m = families(CollectorRegistry())
    children = resolved_children(m)
    report("request_12_updates_labels_per_call", lambda: request_with_labels(m),
           20000 // scale, 5, 1e9, "ns/request")
    report("request_12_updates_pre_resolved", lambda: request_pre_resolved(children),
           20000 // scale, 5, 1e9, "ns/request")

    counter = Counter("bench_requests", "h", ["model"], registry=CollectorRegistry())
    child = counter.labels(MODEL)
    histogram = Histogram("bench_latency_seconds", "h", ["model"],
                          buckets=REQUEST_LATENCY_BUCKETS, registry=CollectorRegistry())
    histogram_child = histogram.labels(MODEL)
    report("counter_inc_resolved_child", child.inc, 200000 // scale, 5, 1e9, "ns/op")
    report("counter_inc_with_label_lookup", lambda: counter.labels(MODEL).inc(),
           200000 // scale, 5, 1e9, "ns/op")
    report("histogram_observe_resolved_child", lambda: histogram_child.observe(0.42),
           200000 // scale, 5, 1e9, "ns/op")

    for series, number in ((1000, 50), (10000, 5), (100000, 1)):
        registry = synthetic_registry(series)
        size = len(generate_latest(registry))
        report("expose_text_%d_series (%d B)" % (series, size),
               lambda r=registry: generate_latest(r), max(1, number // scale), 5, 1e6, "us/op")


if __name__ == "__main__":
    main()
