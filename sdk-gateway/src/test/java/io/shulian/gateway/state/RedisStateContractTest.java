package io.shulian.gateway.state;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared-state contract against a real Redis server (one per class, a key prefix per test). */
class RedisStateContractTest extends SharedStateContract {
  @TempDir static Path dir;
  static RedisServer redis;
  static int tests;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  SharedState open() throws Exception {
    return RedisState.builder(redis.uri()).keyPrefix("contract" + (++tests) + ":").open();
  }
}
