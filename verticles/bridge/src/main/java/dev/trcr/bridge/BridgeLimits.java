package dev.trcr.bridge;

import dev.trcr.kernel.Config;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;

/**
 * What one node's bridge accepts, from {@code TRCR_BRIDGE_*}. Every refusal is an {@code err} frame or a close reason.
 *
 * @param maxSockets        sockets per node; 0 in the configuration means "the process's file limit less 200"
 * @param maxSubscriptions  registered addresses per socket
 * @param maxFrameBytes     largest inbound frame
 * @param maxAddressLength  longest address a frame may name
 * @param maxPendingReplies commands per socket waiting for their reply
 * @param pingTimeoutMs     a socket that sends nothing (the client pings every 5 s) for this long is closed
 * @param slowClientMs      a socket whose outbound queue stays full this long is closed
 * @param maxQueuedBytes    bytes written to a socket while its outbound queue is full before it is closed
 * @param replyTimeoutMs    how long a command may take before the browser gets a TIMEOUT failure
 * @param accessCacheMs     how long a membership answer is reused for further registers of the same user and team
 * @param recoveryLimit     most events replayed to a reconnecting client; further behind, it gets a reset
 * @param framesPerSecond   frames (pings aside) one socket may send per second, sustained; 0 = no limit
 * @param framesBurst       frames one socket may send at once (its bucket's size)
 */
record BridgeLimits(int maxSockets, int maxSubscriptions, int maxFrameBytes, int maxAddressLength,
                    int maxPendingReplies, long pingTimeoutMs, long slowClientMs, long maxQueuedBytes,
                    long replyTimeoutMs, long accessCacheMs, int recoveryLimit, int framesPerSecond,
                    int framesBurst) {

  static BridgeLimits from(JsonObject config) {
    int sockets = Config.integer(config, "TRCR_BRIDGE_MAX_SOCKETS");
    return new BridgeLimits(
        sockets > 0 ? sockets : fromFileLimit(),
        Config.integer(config, "TRCR_BRIDGE_MAX_SUBSCRIPTIONS"),
        Config.integer(config, "TRCR_BRIDGE_MAX_FRAME_BYTES"),
        Config.integer(config, "TRCR_BRIDGE_MAX_ADDRESS_LENGTH"),
        Config.integer(config, "TRCR_BRIDGE_MAX_PENDING_REPLIES"),
        Config.integer(config, "TRCR_BRIDGE_PING_TIMEOUT_MS"),
        Config.integer(config, "TRCR_BRIDGE_SLOW_CLIENT_MS"),
        Config.integer(config, "TRCR_BRIDGE_MAX_QUEUED_BYTES"),
        Config.integer(config, "TRCR_BUS_TIMEOUT_MS"),
        Config.integer(config, "TRCR_BRIDGE_ACCESS_CACHE_MS"),
        Config.integer(config, "TRCR_JOURNAL_RECOVERY_LIMIT"),
        Config.integer(config, "TRCR_BRIDGE_FRAMES_PER_SECOND"),
        Config.integer(config, "TRCR_BRIDGE_FRAMES_BURST"));
  }

  /** Leaves 200 descriptors for PostgreSQL connections, the cluster, jars and logs. */
  private static int fromFileLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long limit = unix.getMaxFileDescriptorCount();
      return (int) Math.max(100, Math.min(Integer.MAX_VALUE, limit - 200));
    }
    return 10_000;
  }
}
