package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node's fan-out. One event-bus consumer per subscribed address, shared by every local socket that subscribed to
 * it (reference-counted: the consumer goes with its last socket); each event is encoded once into a frame and that
 * buffer is written to every subscriber. Per-user streams ({@code user.{userId}.…}) register nothing per user:
 * publishers send them on the one node-level address {@code bridge.user-events} and the hub looks up its sockets, so
 * cluster registrations grow with the team streams a node serves, never with its sockets or users.
 *
 * <p>Streams are journaled ({@code seq} per stream, see the kernel's {@code Journal}): the hub delivers each stream in
 * {@code seq} order without repeats, fills a gap from the journal, and replays the events a reconnecting client
 * missed ({@code since}/{@code epoch} headers on its register) before any live one, or tells it to reload
 * ({@code {"type":"reset"}}) when too much is missing or the stream's history changed.
 */
final class Hub {

  private static final System.Logger LOG = System.getLogger(Hub.class.getName());
  /** How long an out-of-order event waits for the ones before it before the hub reads them from the journal. */
  private static final long GAP_WAIT_MS = 100;

  private final Vertx vertx;
  private final BridgeLimits limits;
  private final Presence presence;
  private final Map<String, Topic> topics = new HashMap<>();
  private final Set<BridgeSocket> sockets = new LinkedHashSet<>();
  private MessageConsumer<JsonObject> userEvents;
  private boolean draining;
  private int busConsumers;

  /** One subscribed stream on this node. */
  private final class Topic {
    final String address;
    final Address stream;
    final Set<BridgeSocket> subscribers = new LinkedHashSet<>();
    MessageConsumer<Object> consumer;
    Future<Void> ready;
    boolean headKnown;
    String epoch;
    long lastSeq;
    final TreeMap<Long, JsonObject> pending = new TreeMap<>();
    long gapTimer = -1;

    Topic(String address, Address stream) {
      this.address = address;
      this.stream = stream;
    }
  }

  Hub(Vertx vertx, BridgeLimits limits, Presence presence) {
    this.vertx = vertx;
    this.limits = limits;
    this.presence = presence;
  }

  Future<Void> start() {
    userEvents = vertx.eventBus().consumer(Address.BRIDGE_USER_EVENTS.address(), this::onUserEvent);
    return userEvents.completion();
  }

  /**
   * Shutting down: new commands are refused (503), the replies of those in flight are awaited (up to 5 s), then every
   * socket is closed with 1001 so that its client reconnects, to another node if there is one.
   */
  Future<Void> stop() {
    draining = true;
    long deadline = System.currentTimeMillis() + 5_000;
    return repliesDone(deadline).compose(ignored -> {
      new ArrayList<>(sockets).forEach(s -> s.close(1001, "node shutting down; reconnect"));
      return userEvents == null ? Future.succeededFuture() : userEvents.unregister();
    });
  }

  boolean draining() {
    return draining;
  }

  private Future<Void> repliesDone(long deadline) {
    boolean pending = sockets.stream().anyMatch(s -> s.pendingReplies > 0);
    if (!pending || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
    vertx.setTimer(20, id -> repliesDone(deadline).onComplete(later));
    return later.future();
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

  /** Event-bus consumers this node's hub holds: what the cluster registry sees of it. */
  int consumerCount() {
    return busConsumers + 1;
  }

  /**
   * Subscribes a socket. With {@code since} (and the {@code epoch} it was counted in) the socket first receives the
   * stream's events after {@code since}, or a reset; live events that arrive meanwhile wait for the replay.
   */
  Future<Void> subscribe(BridgeSocket socket, String address, Address stream, String since, String epoch) {
    Topic topic = topics.get(address);
    if (topic == null) {
      topic = open(address, stream);
    }
    topic.subscribers.add(socket);
    if (since == null) {
      return topic.ready;
    }
    socket.hold(address);
    Topic t = topic;
    return topic.ready.compose(ignored -> recover(t, socket, since, epoch));
  }

  private Topic open(String address, Address stream) {
    Topic topic = new Topic(address, stream);
    topics.put(address, topic);
    Future<Void> registered;
    if (stream.browser() == Address.Browser.SUBSCRIBE_SELF) {
      registered = Future.succeededFuture();
    } else {
      topic.consumer = vertx.eventBus().consumer(address, message -> onEvent(topic, message.body()));
      busConsumers++;
      registered = topic.consumer.completion();
    }
    // Where the stream stands when this node starts following it; events that arrive before the answer wait.
    topic.ready = registered.compose(ignored -> readJournal(topic, 0, 0)).map(head -> {
      topic.epoch = head.getString("epoch");
      topic.lastSeq = head.getLong("lastSeq", 0L);
      if (!topic.pending.isEmpty()) {
        topic.lastSeq = Math.min(topic.lastSeq, topic.pending.firstKey() - 1);
      }
      return (Void) null;
    }).recover(e -> {
      LOG.log(System.Logger.Level.WARNING, "no journal head for " + address + "; following it from its next event");
      topic.epoch = null;
      return Future.succeededFuture();
    }).onComplete(ignored -> {
      topic.headKnown = true;
      drain(topic);
    });
    return topic;
  }

  void unsubscribe(BridgeSocket socket, String address) {
    socket.release(address);
    Topic topic = topics.get(address);
    if (topic != null && topic.subscribers.remove(socket) && topic.subscribers.isEmpty()) {
      topics.remove(address);
      if (topic.gapTimer != -1) {
        vertx.cancelTimer(topic.gapTimer);
      }
      if (topic.consumer != null) {
        busConsumers--;
        topic.consumer.unregister();
      }
    }
  }

  /** Drops every subscription of a socket that closed. */
  void forget(BridgeSocket socket) {
    sockets.remove(socket);
    presence.closed(socket);
    for (String address : new ArrayList<>(socket.subscriptions)) {
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

  // --- delivery in order ----------------------------------------------------------------------------------------------

  private void onUserEvent(Message<JsonObject> message) {
    String address = message.body().getString("address");
    Topic topic = address == null ? null : topics.get(address);
    if (topic != null) {
      onEvent(topic, message.body().getValue("body"));
    }
  }

  private void onEvent(Topic topic, Object body) {
    if (!(body instanceof JsonObject event) || !(event.getValue("seq") instanceof Number number)) {
      emit(topic, null, body);
      return;
    }
    long seq = number.longValue();
    String epoch = event.getString("epoch");
    if (topic.headKnown && (topic.epoch == null || !topic.epoch.equals(epoch))) {
      // A stream this node had no history of, or whose history was rebuilt: this event is the new baseline.
      topic.epoch = epoch;
      topic.lastSeq = seq - 1;
      topic.pending.clear();
    }
    if (topic.headKnown && seq <= topic.lastSeq) {
      return; // a repeat: the relay republished what the fast path had already sent
    }
    topic.pending.put(seq, event);
    drain(topic);
  }

  private void drain(Topic topic) {
    if (!topic.headKnown) {
      return;
    }
    while (!topic.pending.isEmpty() && topic.pending.firstKey() <= topic.lastSeq + 1) {
      var next = topic.pending.pollFirstEntry();
      if (next.getKey() == topic.lastSeq + 1) {
        topic.lastSeq = next.getKey();
        emit(topic, next.getKey(), next.getValue());
      }
    }
    if (!topic.pending.isEmpty() && topic.gapTimer == -1) {
      topic.gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> fillGap(topic));
    }
  }

  /** The events before a waiting one did not come: read them from the journal; if that fails, say so (reset). */
  private void fillGap(Topic topic) {
    topic.gapTimer = -1;
    if (topic.pending.isEmpty() || topics.get(topic.address) != topic) {
      return;
    }
    long missing = topic.pending.firstKey() - topic.lastSeq - 1;
    readJournal(topic, topic.lastSeq, (int) Math.min(missing, 10_000)).onComplete(ar -> {
      if (ar.succeeded() && topic.epoch != null && topic.epoch.equals(ar.result().getString("epoch"))) {
        for (Object o : ar.result().getJsonArray("events", new JsonArray())) {
          JsonObject event = (JsonObject) o;
          long seq = event.getLong("seq");
          if (seq > topic.lastSeq) {
            topic.pending.put(seq, event);
          }
        }
      }
      if (!topic.pending.isEmpty() && topic.pending.firstKey() > topic.lastSeq + 1) {
        LOG.log(System.Logger.Level.WARNING, "gap in " + topic.address + " after " + topic.lastSeq
            + " could not be filled; subscribers are told to reload");
        emit(topic, null, reset(topic.address));
        topic.lastSeq = topic.pending.firstKey() - 1;
      }
      drain(topic);
    });
  }

  private void emit(Topic topic, Long seq, Object body) {
    Frame frame = Frame.event(topic.address, body);
    // A write may close a slow socket, which unsubscribes it: iterate over a snapshot.
    BridgeSocket[] targets = topic.subscribers.toArray(new BridgeSocket[0]);
    for (BridgeSocket s : targets) {
      s.deliver(topic.address, seq, frame);
    }
  }

  // --- recovery -------------------------------------------------------------------------------------------------------

  private Future<Void> recover(Topic topic, BridgeSocket socket, String sinceText, String epoch) {
    long since;
    try {
      since = Long.parseLong(sinceText.trim());
    } catch (NumberFormatException e) {
      since = -1;
    }
    if (since < 0) {
      socket.replayed(topic.address, reset(topic.address), null, Long.MIN_VALUE);
      return Future.succeededFuture();
    }
    long after = since;
    return readJournal(topic, after, limits.recoveryLimit() + 1).map(history -> {
      if (socket.closed()) {
        return null;
      }
      String current = history.getString("epoch");
      JsonArray events = history.getJsonArray("events", new JsonArray());
      boolean sameHistory = current == null ? after == 0 : current.equals(epoch);
      if (!sameHistory || events.size() > limits.recoveryLimit()) {
        socket.replayed(topic.address, reset(topic.address), null, Long.MIN_VALUE);
        return null;
      }
      List<Frame> frames = new ArrayList<>(events.size());
      long last = after;
      for (Object o : events) {
        frames.add(Frame.event(topic.address, o));
        last = ((JsonObject) o).getLong("seq");
      }
      socket.replayed(topic.address, null, frames, last);
      return (Void) null;
    }).recover(e -> {
      socket.replayed(topic.address, reset(topic.address), null, Long.MIN_VALUE);
      return Future.succeededFuture();
    });
  }

  private static JsonObject reset(String address) {
    return new JsonObject().put("type", "reset").put("stream", address);
  }

  private Future<JsonObject> readJournal(Topic topic, long after, int limit) {
    return Bus.request(vertx, topic.stream.journalReader(),
        new JsonObject().put("stream", topic.address).put("after", after).put("limit", limit), null,
        limits.replyTimeoutMs());
  }
}
