package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's fan-out: one event-bus consumer per subscribed address, shared by every local socket that subscribed to
 * it (reference-counted: the consumer goes when its last socket does). Each message is encoded once into a frame and
 * that buffer is written to every subscriber. Per-user streams ({@code user.{userId}.…}) register nothing per user:
 * publishers send them to the one node-level address {@code bridge.user-events}, and the hub looks up its local sockets.
 * Cluster registrations therefore grow with the number of distinct team streams a node serves, never with sockets or
 * users.
 */
final class Hub {

  private final Vertx vertx;
  private final Map<String, Topic> topics = new HashMap<>();
  private final Map<String, Set<BridgeSocket>> userTopics = new HashMap<>();
  private final Set<BridgeSocket> sockets = new LinkedHashSet<>();
  private MessageConsumer<JsonObject> userEvents;
  private long deliveredFrames;

  private static final class Topic {
    final Set<BridgeSocket> subscribers = new LinkedHashSet<>();
    MessageConsumer<Object> consumer;
  }

  Hub(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<Void> start() {
    userEvents = vertx.eventBus().consumer(Address.BRIDGE_USER_EVENTS.address(), this::onUserEvent);
    return userEvents.completion();
  }

  Future<Void> stop() {
    List<BridgeSocket> open = new ArrayList<>(sockets);
    open.forEach(s -> s.close(1001, "node shutting down; reconnect"));
    return userEvents == null ? Future.succeededFuture() : userEvents.unregister();
  }

  void add(BridgeSocket socket) {
    sockets.add(socket);
  }

  int socketCount() {
    return sockets.size();
  }

  /** The open sockets of this node, as a snapshot (closing one while iterating is safe). */
  List<BridgeSocket> sockets() {
    return new ArrayList<>(sockets);
  }

  /** Distinct addresses this node holds a consumer for: what the cluster registry sees of this node. */
  int consumerCount() {
    return topics.size() + 1;
  }

  long deliveredFrames() {
    return deliveredFrames;
  }

  /** Subscribes a socket; completes when the node's consumer for the address is registered cluster-wide. */
  Future<Void> subscribe(BridgeSocket socket, String address, boolean perUser) {
    if (perUser) {
      userTopics.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(socket);
      return Future.succeededFuture();
    }
    Topic topic = topics.get(address);
    if (topic == null) {
      Topic created = new Topic();
      created.consumer = vertx.eventBus().consumer(address, message -> deliver(address, created, message));
      topics.put(address, created);
      topic = created;
    }
    topic.subscribers.add(socket);
    return topic.consumer.completion();
  }

  void unsubscribe(BridgeSocket socket, String address) {
    Set<BridgeSocket> perUser = userTopics.get(address);
    if (perUser != null) {
      perUser.remove(socket);
      if (perUser.isEmpty()) {
        userTopics.remove(address);
      }
      return;
    }
    Topic topic = topics.get(address);
    if (topic != null && topic.subscribers.remove(socket) && topic.subscribers.isEmpty()) {
      topics.remove(address);
      topic.consumer.unregister();
    }
  }

  /** Drops every subscription of a socket that closed. */
  void forget(BridgeSocket socket) {
    sockets.remove(socket);
    for (String address : socket.subscriptions) {
      unsubscribe(socket, address);
    }
    socket.subscriptions.clear();
  }

  void sweep() {
    long now = System.currentTimeMillis();
    for (BridgeSocket s : new ArrayList<>(sockets)) {
      s.sweep(now);
    }
  }

  private void deliver(String address, Topic topic, Message<Object> message) {
    Buffer frame = Frames.rec(address, message.body(), message.headers());
    writeAll(topic.subscribers, frame);
  }

  private void onUserEvent(Message<JsonObject> message) {
    String address = message.body().getString("address");
    Set<BridgeSocket> subscribers = address == null ? null : userTopics.get(address);
    if (subscribers != null) {
      writeAll(subscribers, Frames.rec(address, message.body().getValue("body"), null));
    }
  }

  private void writeAll(Set<BridgeSocket> subscribers, Buffer frame) {
    // A write may close a slow socket, which unsubscribes it: iterate over a snapshot.
    BridgeSocket[] targets = subscribers.toArray(new BridgeSocket[0]);
    for (BridgeSocket s : targets) {
      s.write(frame);
    }
    deliveredFrames += targets.length;
  }
}
