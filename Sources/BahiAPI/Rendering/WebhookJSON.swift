import BahiCore
import BahiJSON

// Webhook endpoints and deliveries as the API shows them (`Components.webhookEndpoint`,
// `webhookDelivery`). Core returns the domain models; the API renders them.

extension WebhookEndpoint {
    /// The endpoint with its queue figures; the secret only when `showingSecret` (creation, rotation).
    func json(stats: WebhookEndpointStats, now: Int64, showingSecret: Bool = false) -> JSONValue {
        func time(_ ms: Int64?) -> JSONValue { ms.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null }
        var s = JSONObject()
        s["pending"] = .number(JSONNumber(stats.pending))
        s["oldest_pending_age_seconds"] = stats.oldestPendingAt.map { .number(JSONNumber(max(0, now - $0) / 1000)) } ?? .null
        s["failed"] = .number(JSONNumber(stats.failed))
        s["failed_attempts"] = .number(JSONNumber(stats.failedAttempts))
        var o = JSONObject()
        o["id"] = .string(id)
        o["url"] = .string(url)
        o["events"] = .array(events.map(JSONValue.string))
        o["channel"] = channel.map(JSONValue.string) ?? .null
        o["description"] = .string(description)
        o["enabled"] = .bool(enabled)
        o["disabled_reason"] = disabledReason.map { .string($0.rawValue) } ?? .null
        o["failing_since"] = time(failingSince)
        o["previous_secret_expires_at"] = previousSecret != nil && (previousSecretUntil ?? 0) > now ? time(previousSecretUntil) : .null
        o["stats"] = .object(s)
        o["version"] = .number(JSONNumber(version))
        o["created_at"] = time(createdAt)
        o["updated_at"] = time(updatedAt)
        if showingSecret { o["secret"] = .string(secret) }
        return .object(o)
    }
}

extension WebhookDelivery {
    var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["endpoint_id"] = .string(endpointID)
        o["event_id"] = .string(eventID)
        o["event_seq"] = .number(JSONNumber(eventSeq))
        o["event_type"] = .string(eventType)
        o["status"] = .string(status.rawValue)
        o["attempt_count"] = .number(JSONNumber(Int64(attempts)))
        o["next_attempt_at"] = status == .pending ? .string(Timestamps.rfc3339(milliseconds: nextAttemptAt)) : .null
        o["last_status"] = lastStatus.map { .number(JSONNumber(Int64($0))) } ?? .null
        o["last_error"] = lastError.map(JSONValue.string) ?? .null
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["updated_at"] = .string(Timestamps.rfc3339(milliseconds: updatedAt))
        o["attempts"] = .array(attemptLog.map { a in
            var e = JSONObject()
            e["attempt"] = .number(JSONNumber(Int64(a.attempt)))
            e["at"] = .string(Timestamps.rfc3339(milliseconds: a.attemptedAt))
            e["status_code"] = a.statusCode.map { .number(JSONNumber(Int64($0))) } ?? .null
            e["error"] = a.error.map(JSONValue.string) ?? .null
            e["latency_ms"] = .number(JSONNumber(a.latencyMilliseconds))
            e["response_excerpt"] = .string(a.responseExcerpt)
            return .object(e)
        })
        return .object(o)
    }
}
