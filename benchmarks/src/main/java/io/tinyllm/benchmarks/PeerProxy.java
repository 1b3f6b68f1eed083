package io.tinyllm.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Another project's proxy that {@link ProxyOverheadHarness} can put between itself and the
 * simulator, configured as that project documents it. Nothing of the peer is part of this project:
 * it is found on the machine, or at a path the user names ({@code peers=NAME=PATH}).
 */
interface PeerProxy {
  /** The name that selects it in {@code peers=}. */
  String name();

  /** Why it cannot run on this machine, or empty when it can. */
  Optional<String> missing();

  /** What exactly runs: program, version, and the digest of a script or binary given by path. */
  String version() throws IOException;

  /** Starts it in front of {@code upstream} on a free loopback port; ready when this returns. */
  PeerProcess start(URI upstream) throws IOException;
}
