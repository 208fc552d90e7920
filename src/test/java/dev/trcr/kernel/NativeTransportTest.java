package dev.trcr.kernel;

import dev.trcr.testing.OneNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** On Linux x86-64 (the machines trcr ships for) a node runs on Netty's epoll transport by default, not on NIO. */
class NativeTransportTest {

  @RegisterExtension
  static final OneNode NODE = new OneNode();

  @Test
  void aNodeOnLinuxRunsOnEpoll() {
    assumeTrue(System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").matches("amd64|x86_64"), "the bundled epoll library is for Linux x86-64");
    assertTrue(NODE.node().vertx().isNativeTransportEnabled(),
        "native transport off: " + NODE.node().vertx().unavailableNativeTransportCause());
  }
}
