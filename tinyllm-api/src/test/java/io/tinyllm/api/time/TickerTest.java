package io.tinyllm.api.time;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

class TickerTest {
  /** Something that times its work, as the client, the engine and the queue do. */
  static final class Timed {
    final Ticker ticker;

    @Inject
    Timed(Ticker ticker) {
      this.ticker = ticker;
    }
  }

  @Test
  void withoutABindingEveryoneGetsTheOneSystemTicker() {
    Injector injector = Guice.createInjector();

    Ticker a = injector.getInstance(Timed.class).ticker;
    Ticker b = injector.getInstance(Timed.class).ticker;

    assertThat(a).isInstanceOf(SystemTicker.class).isSameAs(b);
    long before = System.nanoTime();
    long read = a.read();
    assertThat(read).isBetween(before, System.nanoTime());
    assertThat(Ticker.system()).isInstanceOf(SystemTicker.class);
  }

  @Test
  void oneBindingReplacesItEverywhereWithoutAnOverride() {
    Ticker fake = () -> 42;
    Injector injector = Guice.createInjector(binder -> binder.bind(Ticker.class).toInstance(fake));

    assertThat(injector.getInstance(Timed.class).ticker).isSameAs(fake);
    assertThat(injector.getInstance(Timed.class).ticker.read()).isEqualTo(42);
  }
}
