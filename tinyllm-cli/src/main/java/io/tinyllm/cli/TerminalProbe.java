package io.tinyllm.cli;

import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Whether stdout and stderr are terminals, and how wide stderr's is. {@code System.console()}
 * cannot tell: on Java 17 it needs stdin and stdout to be terminals and says nothing of stderr, so
 * {@code batch ... > results.jsonl} would get no bar and {@code 2> log} would get the redraws.
 * JLine asks the C library ({@code isatty}, {@code TIOCGWINSZ}) through its JNI provider, and falls
 * back to running {@code test -t}/{@code stty} (its exec provider) where the native library cannot
 * load.
 */
interface TerminalProbe {
  /** Whether standard output is a terminal. */
  boolean stdoutIsTerminal();

  /** Whether standard error is a terminal. */
  boolean stderrIsTerminal();

  /** Columns of stderr's terminal, or 0 when unknown. */
  int stderrColumns();

  /** The process's own stdout and stderr, asked through JLine. */
  static TerminalProbe system() {
    TerminalProvider provider = JLineProbe.provider();
    if (provider == null) {
      return fixed(false, false, 0);
    }
    return new JLineProbe(provider);
  }

  /** A probe with fixed answers, for tests. */
  static TerminalProbe fixed(boolean stdout, boolean stderr, int columns) {
    return new TerminalProbe() {
      @Override
      public boolean stdoutIsTerminal() {
        return stdout;
      }

      @Override
      public boolean stderrIsTerminal() {
        return stderr;
      }

      @Override
      public int stderrColumns() {
        return columns;
      }
    };
  }

  /** {@link TerminalProbe#system()}'s implementation. */
  final class JLineProbe implements TerminalProbe {
    /** Without JNI a width costs a process ({@code stty}): asked at most once a second then. */
    private static final long EXEC_WIDTH_NANOS = 1_000_000_000L;

    private final TerminalProvider provider;
    private final boolean nativeCalls;
    private int columns;
    private long columnsAt;
    private boolean asked;

    private JLineProbe(TerminalProvider provider) {
      this.provider = provider;
      this.nativeCalls = "jni".equals(provider.name());
    }

    /** JNI first (a system call), then exec (a process per question); null if neither loads. */
    static TerminalProvider provider() {
      for (String name : new String[] {"jni", "exec"}) {
        try {
          return TerminalProvider.load(name);
        } catch (Exception | LinkageError e) {
          // this provider cannot work here (no native library, no /bin/sh): try the next
        }
      }
      return null;
    }

    @Override
    public boolean stdoutIsTerminal() {
      return ask(SystemStream.Output);
    }

    @Override
    public boolean stderrIsTerminal() {
      return ask(SystemStream.Error);
    }

    @Override
    public synchronized int stderrColumns() {
      long now = System.nanoTime();
      if (nativeCalls || !asked || now - columnsAt >= EXEC_WIDTH_NANOS) {
        asked = true;
        columnsAt = now;
        try {
          columns = Math.max(0, provider.systemStreamWidth(SystemStream.Error));
        } catch (RuntimeException | LinkageError e) {
          columns = 0;
        }
      }
      return columns;
    }

    private boolean ask(SystemStream stream) {
      try {
        return provider.isSystemStream(stream);
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }
  }
}
