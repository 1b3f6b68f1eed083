package io.tinyllm.it.containers;

import com.github.dockerjava.api.DockerClient;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerStatus;

/**
 * "Started" means "exited", whatever the exit status: {@code start()} of a command that ends waits
 * for its end (bounded by {@link #withTimeout}), and the test reads the status, so a failure the
 * test expects ({@code tinyllm batch} exiting 1) can be asserted like a success. Testcontainers'
 * {@code OneShotStartupCheckStrategy} accepts exit 0 only.
 */
final class ExitedStartupCheckStrategy extends StartupCheckStrategy {
  @Override
  public StartupStatus checkStartupState(DockerClient docker, String containerId) {
    return DockerStatus.isContainerStopped(getCurrentState(docker, containerId))
        ? StartupStatus.SUCCESSFUL
        : StartupStatus.NOT_YET_KNOWN;
  }
}
