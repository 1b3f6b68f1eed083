package io.tinyllm.it.containers;

import org.testcontainers.utility.DockerImageName;

/**
 * A container that tells which image it will run without resolving it: {@code
 * GenericContainer.getDockerImageName()} pulls a missing image first, which for an image built only
 * on this machine means minutes of retries before failing.
 */
public interface DeclaresImage {
  DockerImageName image();
}
