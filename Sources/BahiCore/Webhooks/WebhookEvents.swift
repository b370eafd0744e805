/// The events of the Webhooks domain, as declared in `EventCatalogue`.
///
/// Why endpoints announce their own changes: subscriptions decide where a seller's order and
/// stock data go, so creating, changing or removing one is part of the audit trail; and a
/// disabled endpoint must be noticed by someone other than the receiver that stopped answering.
/// No payload ever carries a secret.
public enum WebhookEvents {
    static let endpointFields: [PayloadField] = [
        PayloadField("url", .string, "Where deliveries go."),
        PayloadField("events", .array, "The event types (and `prefix.*` families) it receives."),
        PayloadField("channel", .string, optional: true, "The channel whose sellable stock `inventory.changed` deliveries carry, if any."),
        PayloadField("enabled", .boolean, "Whether deliveries go out."),
        PayloadField("disabled_reason", .string, optional: true, "`operator`, `gone` (the receiver answered 410) or `failing` (5 days without a success), while disabled."),
        PayloadField("version", .integer, "The endpoint's version after the change."),
    ]

    public static let created = EventDefinition("webhook_endpoint.created", entity: "webhook_endpoint",
        "A webhook endpoint was subscribed.", payload: endpointFields)
    public static let updated = EventDefinition("webhook_endpoint.updated", entity: "webhook_endpoint",
        "A webhook endpoint's URL, events, channel, description or state changed, or its secret was rotated.",
        payload: endpointFields + [PayloadField("changes", .array, "The names of the fields that changed (`secret` for a rotation).")])
    public static let deleted = EventDefinition("webhook_endpoint.deleted", entity: "webhook_endpoint",
        "A webhook endpoint was removed with its deliveries.", payload: [PayloadField("url", .string, "Where deliveries went.")])
    public static let disabled = EventDefinition("webhook_endpoint.disabled", entity: "webhook_endpoint",
        "Bahi stopped delivering to an endpoint: it answered 410 Gone, or it failed every attempt for 5 days. Its pending deliveries wait for it to be enabled again.",
        payload: endpointFields + [
            PayloadField("failing_since", .timestamp, optional: true, "The first failed attempt since the last success."),
            PayloadField("last_error", .string, optional: true, "The last attempt's status or error."),
        ])
    /// Never appended to the feed: the body of `POST /v1/webhook-endpoints/{id}/test`, delivered
    /// to that endpoint alone (its `seq` is 0).
    public static let ping = EventDefinition("webhook.ping", entity: "webhook_endpoint",
        "A test delivery an operator asked for; only the endpoint tested receives it, and it is not in the feed.", payload: [
            PayloadField("endpoint_id", .string, "The endpoint tested."),
            PayloadField("url", .string, "Its URL."),
        ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [created, updated, deleted, disabled, ping]
}
