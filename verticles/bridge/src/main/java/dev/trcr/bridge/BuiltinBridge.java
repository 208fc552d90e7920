package dev.trcr.bridge;

import dev.trcr.kernel.Address;
import dev.trcr.kernel.Bus;
import dev.trcr.kernel.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

import java.util.Optional;
import java.util.UUID;

/**
 * The foundation's bridge: Vert.x's built-in SockJS bridge (one cluster registration per browser subscription, one
 * encoding per socket) with trcr's authorisation in its event hook. Kept only so that the fan-out benchmark can
 * measure the hub against it in the same run ({@code TRCR_BRIDGE_IMPL=builtin}); nodes run the hub by default.
 */
final class BuiltinBridge {

  /** An address no permission matches; see {@link #decide}. */
  private static final String DENIED = "trcr.bridge.denied";

  private final Vertx vertx;
  private final Tokens tokens;

  BuiltinBridge(Vertx vertx, Tokens tokens) {
    this.vertx = vertx;
    this.tokens = tokens;
  }

  Router router() {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    for (Address address : Address.values()) {
      switch (address.browser()) {
        case SEND -> options.addInboundPermitted(new PermittedOptions().setAddress(address.address()));
        case SUBSCRIBE_TEAM_MEMBERS -> options.addOutboundPermitted(new PermittedOptions()
            .setAddressRegex(address.template().replace(".", "\\.").replaceAll("\\{[a-zA-Z]+}", "[0-9a-fA-F-]{36}")));
        default -> {
        }
      }
    }
    return SockJSHandler.create(vertx, new SockJSHandlerOptions()).bridge(options, this::authorize);
  }

  private void authorize(BridgeEvent event) {
    switch (event.type()) {
      case REGISTER -> authenticated(event).compose(user -> mayRegister(user, event.getRawMessage().getString("address")))
          .onComplete(ar -> decide(event, ar.succeeded() && ar.result()));
      case SEND -> authenticated(event).onComplete(ar -> {
        boolean allowed = ar.succeeded() && mayCommand(event.getRawMessage().getString("address"));
        if (allowed) {
          event.setRawMessage(event.getRawMessage().put("headers",
              new JsonObject().put(Bus.USER_HEADER, ar.result().toString())));
        }
        decide(event, allowed);
      });
      case PUBLISH -> decide(event, false);
      default -> event.complete(true);
    }
  }

  /** The built-in bridge says "rejected" for a hook's refusal; trcr says access_denied for every refusal. */
  private static void decide(BridgeEvent event, boolean allowed) {
    if (!allowed) {
      event.setRawMessage(event.getRawMessage().put("address", DENIED));
    }
    event.complete(true);
  }

  private Future<UUID> authenticated(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    JsonObject headers = raw == null ? null : raw.getJsonObject("headers");
    return tokens.verify(headers == null ? null : headers.getString("authorization"));
  }

  private static boolean mayCommand(String address) {
    return address != null && Address.of(address).map(a -> a.browser() == Address.Browser.SEND).orElse(false);
  }

  private Future<Boolean> mayRegister(UUID user, String address) {
    Optional<Address> entry = address == null ? Optional.empty() : Address.of(address);
    if (entry.isEmpty() || entry.get().browser() != Address.Browser.SUBSCRIBE_TEAM_MEMBERS) {
      return Future.succeededFuture(false);
    }
    String teamId = entry.get().idOf(address).orElseThrow();
    return Bus.request(vertx, Address.WORKSPACE_ACCESS,
            new JsonObject().put("teamId", teamId).put("userId", user.toString()), null)
        .map(access -> true)
        .otherwise(false);
  }
}
