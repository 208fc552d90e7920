package dev.trcr.api;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.ErrorCode;
import dev.trcr.kernel.Input;
import dev.trcr.kernel.RateLimiter;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.TypeRuntimeWiring;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Subscriptions: each one follows the event-bus stream the bridge would serve for the same address, admitted by the
 * bridge's rules (team streams: {@code workspace.access}, with role owner or admin for billing; channel streams: the
 * owner's {@code chat.access}; per-user streams: the caller's own, through {@code bridge.user-events}), through
 * one consumer per address and node ({@link Streams}); it leaves when the client completes the operation or the socket
 * closes.
 *
 * <p>A refused subscription gets a graphql-transport-ws {@code error} message whose {@code extensions.code} is the
 * machine code. GraphQLWSHandler renders a failed publisher as {@code {"message": exception.toString()}} without
 * extensions, so the refusal is written here, on the operation's socket, and the operation then stays silent (it
 * holds no consumer) until the client forgets it or the socket closes.
 */
final class Subscriptions {

  /** GraphQL context keys of a WebSocket operation: its socket and its operation id. */
  static final String SOCKET = "trcr.ws.socket";
  static final String OPERATION_ID = "trcr.ws.id";

  /** Events a slow subscriber may fall behind by before its subscription ends with an error. */
  static final int MAX_QUEUED_EVENTS = 1_000;

  private final Vertx vertx;
  private final long timeoutMs;
  private final RateLimiter users;
  private final int maxPerSocket;
  private final Streams streams;
  /** Live subscriptions of each open socket, against {@code TRCR_GRAPHQL_MAX_SUBSCRIPTIONS}. */
  private final Map<ServerWebSocket, AtomicInteger> perSocket = new ConcurrentHashMap<>();

  Subscriptions(Vertx vertx, long timeoutMs, RateLimiter users, int maxPerSocket) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.users = users;
    this.maxPerSocket = maxPerSocket;
    this.streams = new Streams(vertx);
  }

  /** The socket closed: its subscriptions were cancelled with it. */
  void forget(ServerWebSocket socket) {
    perSocket.remove(socket);
  }

  void wire(RuntimeWiring.Builder wiring) {
    wiring.type(TypeRuntimeWiring.newTypeWiring("Subscription")
        .dataFetcher("timerEvents", env -> subscribe(env, () -> {
          UUID team = Input.parseUuid("teamId", env.getArgument("teamId"));
          return member(env, team, null).map(ignored -> Address.TEAM_TIMERS.address(team));
        }))
        .dataFetcher("messageEvents", env -> subscribe(env, () -> {
          UUID team = Input.parseUuid("teamId", env.getArgument("teamId"));
          UUID channel = Input.parseUuid("channelId", env.getArgument("channelId"));
          return Bus.request(vertx, Address.TEAM_CHAT.accessCheck(), new JsonObject().put("teamId", team.toString())
                  .put("channelId", channel.toString()).put("userId", Resolvers.caller(env).toString()), null, timeoutMs)
              .map(ignored -> Address.TEAM_CHAT.address(team, channel));
        }))
        .dataFetcher("boardEvents", env -> subscribe(env, () -> {
          UUID team = Input.parseUuid("teamId", env.getArgument("teamId"));
          UUID project = Input.parseUuid("projectId", env.getArgument("projectId"));
          return member(env, team, project).map(ignored -> Address.TEAM_BOARD.address(team, project));
        }))
        .dataFetcher("billingEvents", env -> subscribe(env, () -> {
          UUID team = Input.parseUuid("teamId", env.getArgument("teamId"));
          return member(env, team, null).map(access -> {
            String role = access instanceof JsonObject reply ? reply.getString("role") : null;
            if (!"owner".equals(role) && !"admin".equals(role)) {
              throw ErrorCode.FORBIDDEN.exception("billing events are for the team's owners and admins");
            }
            return Address.TEAM_BILLING.address(team);
          });
        }))
        .dataFetcher("notificationEvents", env -> subscribe(env,
            () -> Future.succeededFuture(Address.USER_NOTIFICATIONS.address(Resolvers.caller(env))))));
  }

  /** A member of the team (and, when named, a project of that team): team_not_found / project_not_found if not. */
  private Future<Object> member(DataFetchingEnvironment env, UUID team, UUID project) {
    JsonObject body = new JsonObject().put("teamId", team.toString()).put("userId", Resolvers.caller(env).toString());
    if (project != null) {
      body.put("projectId", project.toString());
    }
    return Bus.request(vertx, Address.WORKSPACE_ACCESS, body, null, timeoutMs);
  }

  private CompletableFuture<Publisher<JsonObject>> subscribe(DataFetchingEnvironment env,
                                                            java.util.function.Supplier<Future<String>> admit) {
    Future<String> address;
    ServerWebSocket socket = env.getGraphQlContext().get(SOCKET);
    AtomicInteger live = socket == null ? new AtomicInteger() : perSocket.computeIfAbsent(socket, s -> new AtomicInteger());
    try {
      UUID caller = Resolvers.caller(env);
      long wait = users.acquire(caller);
      if (wait > 0) {
        address = Future.failedFuture(RateLimiter.limited(wait));
      } else if (live.incrementAndGet() > maxPerSocket) {
        live.decrementAndGet();
        address = Future.failedFuture(ErrorCode.RATE_LIMITED.exception("a socket may hold at most " + maxPerSocket
            + " subscriptions; complete one first"));
      } else {
        address = admitted(admit).onFailure(e -> live.decrementAndGet());
      }
    } catch (RuntimeException e) {
      address = Future.failedFuture(e);
    }
    return address.<Publisher<JsonObject>>map(a -> new BusPublisher(streams, a, live::decrementAndGet))
        .recover(failure -> refuse(env, failure))
        .toCompletionStage().toCompletableFuture();
  }

  /** The access check's outcome; invalid arguments (thrown while building it) become its failure. */
  private static Future<String> admitted(java.util.function.Supplier<Future<String>> admit) {
    try {
      return admit.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Writes the {@code error} message with the machine code, and answers a publisher that never emits. */
  private Future<Publisher<JsonObject>> refuse(DataFetchingEnvironment env, Throwable failure) {
    ServerWebSocket socket = env.getGraphQlContext().get(SOCKET);
    String id = env.getGraphQlContext().get(OPERATION_ID);
    JsonObject error = GraphqlErrors.restError(failure, "GraphQL subscription " + env.getField().getName());
    if (socket == null || id == null) {
      return Future.failedFuture(failure); // not over the WebSocket: the ordinary error path has the code
    }
    socket.writeTextMessage(new JsonObject().put("id", id).put("type", "error")
        .put("payload", GraphqlErrors.wsErrorPayload(error)).encode());
    return Future.succeededFuture(subscriber -> subscriber.onSubscribe(new Subscription() {
      @Override
      public void request(long n) {
      }

      @Override
      public void cancel() {
      }
    }));
  }

  /**
   * One event-bus consumer per stream address on this node, shared by every subscription to it, as the bridge's hub
   * does: the cluster's registry holds one entry per node and address instead of one per subscription, and an event
   * crosses the cluster once per node. The consumer goes when the last subscription to its address ends.
   *
   * <p>Per-user streams ({@code user.{userId}.…}, {@code SUBSCRIBE_SELF}) are never registered per address: their
   * events travel on {@code bridge.user-events} as {@code {address, body}}, which this node consumes once, while any
   * subscription to a per-user stream is live, and hands to the subscriptions of that address.
   */
  static final class Streams {
    private final Vertx vertx;
    private final Map<String, Stream> byAddress = new ConcurrentHashMap<>();
    /** The node's one consumer of bridge.user-events, while some per-user stream has subscriptions. */
    private MessageConsumer<JsonObject> userEvents;
    private int userStreams;

    Streams(Vertx vertx) {
      this.vertx = vertx;
    }

    synchronized void join(String address, Delivery delivery) {
      byAddress.computeIfAbsent(address, Stream::new).deliveries.add(delivery);
    }

    synchronized void leave(String address, Delivery delivery) {
      Stream stream = byAddress.get(address);
      if (stream != null && stream.deliveries.remove(delivery) && stream.deliveries.isEmpty()) {
        byAddress.remove(address);
        if (stream.consumer != null) {
          stream.consumer.unregister();
        } else if (--userStreams == 0 && userEvents != null) {
          userEvents.unregister();
          userEvents = null;
        }
      }
    }

    /** True for the addresses of per-user streams, delivered through {@code bridge.user-events}. */
    static boolean perUser(String address) {
      return Address.of(address).map(a -> a.browser() == Address.Browser.SUBSCRIBE_SELF).orElse(false);
    }

    private void onUserEvent(JsonObject envelope) {
      String address = envelope.getString("address");
      Stream stream = address == null ? null : byAddress.get(address);
      if (stream != null) {
        stream.deliver(envelope.getValue("body"));
      }
    }

    private final class Stream {
      final java.util.Set<Delivery> deliveries = new java.util.concurrent.CopyOnWriteArraySet<>();
      final MessageConsumer<Object> consumer;

      /** Called under the Streams lock (computeIfAbsent in join). */
      Stream(String address) {
        if (perUser(address)) {
          consumer = null;
          if (userStreams++ == 0) {
            userEvents = vertx.eventBus().consumer(Address.BRIDGE_USER_EVENTS.address(), m -> {
              if (m.body() instanceof JsonObject envelope) {
                onUserEvent(envelope);
              }
            });
          }
        } else {
          consumer = vertx.eventBus().consumer(address, message -> deliver(message.body()));
        }
      }

      void deliver(Object body) {
        if (body instanceof JsonObject event) {
          Object ts = event.getValue("ts");
          JsonObject delivered = ts instanceof Number n
              ? event.copy().put("at", Instant.ofEpochMilli(n.longValue()).toString()) : event;
          deliveries.forEach(d -> d.offer(delivered));
        }
      }
    }
  }

  /** One stream's events for one subscription, as a Reactive Streams publisher; each event gains {@code at}. */
  static final class BusPublisher implements Publisher<JsonObject> {
    private final Streams streams;
    private final String address;
    private final Runnable onEnd;

    BusPublisher(Streams streams, String address, Runnable onEnd) {
      this.streams = streams;
      this.address = address;
      this.onEnd = onEnd;
    }

    @Override
    public void subscribe(Subscriber<? super JsonObject> subscriber) {
      new Delivery(streams, address, subscriber, onEnd).start();
    }
  }

  /**
   * A subscription's queue, with the subscriber's demand. Repeats (the journal relay may publish an event twice) are
   * dropped by their {@code seq} within an {@code epoch}; a subscriber {@link #MAX_QUEUED_EVENTS} behind is ended.
   */
  private static final class Delivery implements Subscription {
    private final Streams streams;
    private final String address;
    private final Subscriber<? super JsonObject> subscriber;
    private final Runnable onEnd;
    private final ArrayDeque<JsonObject> queue = new ArrayDeque<>();
    private long demand;
    private boolean done;
    private boolean draining;
    private String epoch;
    private long lastSeq;

    Delivery(Streams streams, String address, Subscriber<? super JsonObject> subscriber, Runnable onEnd) {
      this.streams = streams;
      this.address = address;
      this.subscriber = subscriber;
      this.onEnd = onEnd;
    }

    void start() {
      streams.join(address, this);
      subscriber.onSubscribe(this);
    }

    void offer(JsonObject event) {
      boolean overflow = false;
      synchronized (this) {
        if (done || repeated(event)) {
          return;
        }
        if (queue.size() >= MAX_QUEUED_EVENTS) {
          done = true;
          overflow = true;
          queue.clear();
        } else {
          queue.add(event);
        }
      }
      if (overflow) {
        streams.leave(address, this);
        onEnd.run();
        subscriber.onError(new SlowSubscriber());
        return;
      }
      drain();
    }

    private boolean repeated(JsonObject event) {
      Object seq = event.getValue("seq");
      if (!(seq instanceof Number n)) {
        return false; // ephemeral events (typing) have no seq
      }
      String eventEpoch = event.getString("epoch");
      if (epoch != null && epoch.equals(eventEpoch) && n.longValue() <= lastSeq) {
        return true;
      }
      epoch = eventEpoch;
      lastSeq = n.longValue();
      return false;
    }

    private void drain() {
      while (true) {
        JsonObject next;
        synchronized (this) {
          if (draining || done || demand == 0 || queue.isEmpty()) {
            return;
          }
          draining = true;
          demand--;
          next = queue.poll();
        }
        try {
          subscriber.onNext(next);
        } finally {
          synchronized (this) {
            draining = false;
          }
        }
      }
    }

    @Override
    public void request(long n) {
      synchronized (this) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      drain();
    }

    @Override
    public void cancel() {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        queue.clear();
      }
      streams.leave(address, this);
      onEnd.run();
    }
  }

  /** The error a subscriber that fell too far behind gets; its text is what the client sees. */
  static final class SlowSubscriber extends RuntimeException {
    SlowSubscriber() {
      super("the subscription fell " + MAX_QUEUED_EVENTS + " events behind and was ended; subscribe again", null,
          false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
