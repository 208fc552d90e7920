// The one module that talks to the event-bus bridge (the official @vertx/eventbus-bridge-client.js over SockJS).
//
// - Every subscription is remembered with its handler and a `reload` function. Handlers die with the socket, so on
//   every open (the first one and each reconnect) it registers them all again, with the last seq/epoch it saw so the
//   bridge replays the missed journaled events, and calls `reload` so the page re-reads the state over REST (this
//   also covers ephemeral streams such as presence, and a {type:"reset"} answer).
// - The connection state (connecting / live / reconnecting / offline) is published to listeners.
import EventBus from '@vertx/eventbus-bridge-client.js';
import { AppError } from './api.js';

const SEND_TIMEOUT_MS = 10000;

export class Bus {
  constructor() {
    this.eb = null;
    this.status = 'offline';
    this.subs = new Map(); // address -> {handlers:Set, reloads:Set, seq, epoch}
    this.listeners = new Set();
    this.errorListeners = new Set();
    this.muted = false; // tests only: simulates events that are late (see WebAppTest's stale drag)
  }

  onStatus(fn) { this.listeners.add(fn); fn(this.status); return () => this.listeners.delete(fn); }
  onError(fn) { this.errorListeners.add(fn); return () => this.errorListeners.delete(fn); }

  setStatus(status) {
    this.status = status;
    this.listeners.forEach((fn) => fn(status));
  }

  connect(url, token) {
    this.close();
    const eb = new EventBus(url, { vertxbus_reconnect_delay_max: 3000 });
    eb.defaultHeaders = { authorization: 'Bearer ' + token };
    eb.enableReconnect(true);
    eb.onopen = () => {
      if (this.eb !== eb) return;
      this.setStatus('live');
      for (const [address, sub] of this.subs) this.register(address, sub, true);
    };
    eb.onclose = () => {
      if (this.eb !== eb) return;
      this.setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
    };
    eb.onerror = (frame) => {
      if (this.eb !== eb) return;
      const reason = frame && (frame.body || frame.message) ? (frame.body || frame.message) : 'error';
      if (reason === 'registration_failure') {
        // Not a refusal: the owner could not answer in time. Register again shortly.
        setTimeout(() => this.reregisterAll(), 1000);
        return;
      }
      this.errorListeners.forEach((fn) => fn(new AppError(0, reason, 'The live connection refused a request (' + reason + ').')));
    };
    this.eb = eb;
    this.setStatus('connecting');
  }

  /** A refreshed token for the frames from now on (the socket stays). */
  setToken(token) {
    if (this.eb) this.eb.defaultHeaders = { authorization: 'Bearer ' + token };
  }

  close() {
    const eb = this.eb;
    this.eb = null;
    if (eb) {
      eb.enableReconnect(false);
      try { eb.close(); } catch (e) { /* already closed */ }
    }
    this.setStatus('offline');
  }

  get open() { return this.eb !== null && this.eb.state === EventBus.OPEN; }

  /** Cuts the socket as a network failure would; the client reconnects by itself (used by tests). */
  drop() {
    if (this.eb && this.eb.sockJSConn) this.eb.sockJSConn.close();
  }

  reregisterAll() {
    if (!this.open) return;
    for (const [address, sub] of this.subs) {
      delete this.eb.handlers[address];
      this.register(address, sub, true);
    }
  }

  register(address, sub, reload) {
    if (!this.open) return;
    const headers = {};
    if (sub.seq != null && sub.epoch != null) {
      headers.since = String(sub.seq);
      headers.epoch = String(sub.epoch);
    }
    sub.cb = (err, message) => this.dispatch(address, err, message);
    this.eb.registerHandler(address, headers, sub.cb);
    if (reload) sub.reloads.forEach((fn) => fn());
  }

  dispatch(address, err, message) {
    const sub = this.subs.get(address);
    if (!sub) return;
    if (err) {
      this.errorListeners.forEach((fn) => fn(busError(err)));
      return;
    }
    if (this.muted) return;
    const body = message.body;
    if (body && body.type === 'reset') {
      sub.seq = null;
      sub.epoch = null;
      sub.reloads.forEach((fn) => fn());
      return;
    }
    if (body && typeof body.seq === 'number') {
      if (sub.epoch === body.epoch && sub.seq != null && body.seq <= sub.seq) return; // a repeat
      sub.seq = body.seq;
      sub.epoch = body.epoch;
    }
    sub.handlers.forEach((fn) => fn(body));
  }

  /**
   * Listens to a stream. `reload` runs after every (re)registration, so the caller re-reads its state over REST.
   * Returns the function that stops listening.
   */
  subscribe(address, handler, reload) {
    let sub = this.subs.get(address);
    const fresh = !sub;
    if (!sub) {
      sub = { handlers: new Set(), reloads: new Set(), seq: null, epoch: null };
      this.subs.set(address, sub);
    }
    sub.handlers.add(handler);
    if (reload) sub.reloads.add(reload);
    if (fresh) this.register(address, sub, false);
    if (reload) reload();
    return () => {
      sub.handlers.delete(handler);
      if (reload) sub.reloads.delete(reload);
      if (sub.handlers.size === 0) {
        this.subs.delete(address);
        if (this.open && this.eb.handlers[address] && sub.cb) {
          try { this.eb.unregisterHandler(address, sub.cb); } catch (e) { /* closed */ }
        }
      }
    };
  }

  /** A command with a reply over the bridge. */
  send(address, body) {
    return new Promise((resolve, reject) => {
      if (!this.open) {
        reject(new AppError(0, 'offline', 'The live connection is down; try again when it says live.'));
        return;
      }
      const timer = setTimeout(() => reject(new AppError(0, 'timeout', 'The server did not answer in time.')), SEND_TIMEOUT_MS);
      this.eb.send(address, body, {}, (err, reply) => {
        clearTimeout(timer);
        if (err) reject(busError(err));
        else resolve(reply.body);
      });
    });
  }
}

function busError(err) {
  try {
    const parsed = JSON.parse(err.message);
    if (parsed && parsed.error) return new AppError(err.failureCode, parsed.error.code, parsed.error.message, parsed.error.field);
  } catch (e) { /* not a server error object */ }
  return new AppError(err.failureCode, err.failureType, err.message || 'The server refused the request.');
}

export const bus = new Bus();
