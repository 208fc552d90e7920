package dev.trcr.notifications;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * One notification to write for one user, decided from a source event: {@code eventId} is the dedupe key (one
 * notification per user and event, however often the event is read), {@code email} the user's address when the kind
 * may also go out by email (their settings decide), or null.
 */
record Note(UUID userId, String eventId, String kind, UUID teamId, String title, String body, String link,
            JsonObject data, String email) {
}
