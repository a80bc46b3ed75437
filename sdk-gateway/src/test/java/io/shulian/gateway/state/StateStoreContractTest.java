package io.shulian.gateway.state;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared-state contract against the embedded default: this process, durable in the state directory. */
class StateStoreContractTest extends SharedStateContract {
  @TempDir Path dir;

  @Override
  SharedState open() throws Exception {
    return StateStore.builder(dir.resolve("state")).open();
  }
}
