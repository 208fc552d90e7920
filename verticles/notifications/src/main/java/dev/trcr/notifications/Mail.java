package dev.trcr.notifications;

import java.util.UUID;

/**
 * An email that belongs to no user's notification (the invoice to the client): queued once per event and address;
 * the invoice's PDF is fetched from billing when it is sent.
 */
record Mail(String eventId, String kind, String to, String subject, String text, String html, UUID teamId,
            UUID invoiceId) {
}
