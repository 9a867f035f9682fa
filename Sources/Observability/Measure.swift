import CoreMetrics

/// Every metric a process counts as it works, named here once with its labels: Prometheus wants
/// one set of label names per metric, and the names are the operator's interface (docs/deploy.md
/// lists them). Label values are the product's own words (sections, outcomes, route families),
/// never a character, a user or a path, so the number of series stays bounded.
///
/// Until ``MetricsSetup/bootstrap()`` these go to swift-metrics' no-op backend: tests and
/// one-shot commands pay nothing for them.
public enum Measure {
    /// A section a sync worker finished: `outcome` fetched, not_modified, failed or skipped.
    public static func sectionSynced(section: String, outcome: String) {
        Counter(label: "memberaudit_sync_sections_total", dimensions: [("section", section), ("outcome", outcome)])
            .increment()
    }

    /// A fetch recorded in the log (one per ESI answer kept as an event).
    public static func fetchRecorded(section: String, outcome: String) {
        Counter(label: "memberaudit_sync_fetches_total", dimensions: [("section", section), ("outcome", outcome)])
            .increment()
    }

    /// A claim that took over the expired lease of a worker that died.
    public static func leaseRescued() {
        Counter(label: "memberaudit_sync_lease_rescues_total").increment()
    }

    /// An answer from ESI (each attempt): its status, or `none` when no answer came (a timeout, a
    /// refused connection).
    public static func esiAnswered(status: Int?) {
        let label = status.map { (100...599).contains($0) ? String($0) : "other" } ?? "none"
        Counter(label: "memberaudit_esi_requests_total", dimensions: [("status", label)]).increment()
    }

    /// ESI's error limit as its last answer said.
    public static func esiErrorLimit(remaining: Int) {
        Gauge(label: "memberaudit_esi_error_limit_remaining").record(remaining)
    }

    /// The workers paused: `reason` error_limit (a 420), rate_limit (a 429) or bucket_low (a
    /// rate-limit bucket nearly empty).
    public static func esiPaused(reason: String) {
        Counter(label: "memberaudit_esi_pauses_total", dimensions: [("reason", reason)]).increment()
    }

    /// Events appended to the log, and the bytes of the payloads the log did not hold yet: `raw`
    /// as ESI sent them, `stored` as kept (compressed, or a delta against their predecessor).
    public static func appended(events: Int, rawBytes: Int, storedBytes: Int) {
        Counter(label: "memberaudit_eventlog_appended_events_total").increment(by: max(0, events))
        Counter(label: "memberaudit_eventlog_payload_bytes_total", dimensions: [("kind", "raw")])
            .increment(by: max(0, rawBytes))
        Counter(label: "memberaudit_eventlog_payload_bytes_total", dimensions: [("kind", "stored")])
            .increment(by: max(0, storedBytes))
    }

    /// A character's token could not be used: `kind` invalid (the character is suspended until its
    /// owner adds it again) or unavailable (the SSO did not answer; tried again later).
    public static func tokenFailed(kind: String) {
        Counter(label: "memberaudit_token_failures_total", dimensions: [("kind", kind)]).increment()
    }

    /// A web request answered: by route family (the first part of the route's pattern) and status.
    public static func webRequest(family: String, status: Int, duration: Duration) {
        Counter(
            label: "memberaudit_web_requests_total",
            dimensions: [("family", family), ("status", String(status))]
        ).increment()
        Timer(label: "memberaudit_web_request_duration_seconds", dimensions: [("family", family)])
            .recordNanoseconds(duration.nanoseconds)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating (a duration is never near 292 years here, but must not trap).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAgain ? .max : sum
    }
}
