package io.tinyllm.api.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutionContextTest {
  @Test
  void scopesNestAndRestore() {
    assertThat(ExecutionContext.current()).isEqualTo(ExecutionContext.DEFAULT);
    try (ExecutionContext.Scope outer = ExecutionContext.open("qa", "entry")) {
      assertThat(ExecutionContext.current()).isEqualTo(new ExecutionContext("qa", "entry"));
      try (ExecutionContext.Scope inner = ExecutionContext.open("qa", "answer")) {
        assertThat(ExecutionContext.current().node()).isEqualTo("answer");
      }
      assertThat(ExecutionContext.current().node()).isEqualTo("entry");
    }
    assertThat(ExecutionContext.current()).isEqualTo(ExecutionContext.DEFAULT);
  }

  @Test
  void wrapCarriesTheContextToAnotherThread() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      String seen;
      try (ExecutionContext.Scope scope = ExecutionContext.open("routed", "router")) {
        seen = pool.submit(ExecutionContext.wrap(() -> ExecutionContext.current().graph())).get();
      }
      String unwrapped = pool.submit(() -> ExecutionContext.current().graph()).get();

      assertThat(seen).isEqualTo("routed");
      assertThat(unwrapped).isEqualTo(ExecutionContext.NONE);
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
