package io.tinyllm.ollama.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable hashes: every "random" choice of the simulator (answers, embeddings, digests) derives from
 * these so that the same request gives the same answer on every JVM and every run.
 */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  /** 64-bit FNV-1a over the UTF-8 bytes of the parts, each part followed by a 0 byte. */
  static long fnv64(String... parts) {
    long hash = FNV_OFFSET;
    for (String part : parts) {
      for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
        hash ^= b & 0xff;
        hash *= FNV_PRIME;
      }
      hash *= FNV_PRIME; // separator, so ("ab","c") and ("a","bc") differ
    }
    return hash;
  }

  /** Lower-case hex SHA-256 of {@code text}, used for model and layer digests. */
  static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
