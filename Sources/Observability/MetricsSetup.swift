import CoreMetrics
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics' API (what ``Measure`` counts with) backed by
/// swift-prometheus' registry, which renders the Prometheus text format for `GET /metrics`.
///
/// Why these two: swift-metrics is the server ecosystem's common API, so the libraries we use
/// could report through the same backend, and swift-prometheus is the maintained backend of the
/// Swift Server Work Group; both are in the local package copies, so no exporter is hand-made.
public enum MetricsSetup {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Makes the Prometheus registry the backend of swift-metrics, once per process (later calls
    /// return the same registry). Call it before anything counts: what was counted before goes to
    /// the no-op backend.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        self.state.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: made)
            // Web requests take milliseconds; ESI-bound work up to seconds.
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            registry = made
            return made
        }
    }

    /// Sets a gauge read from the database at scrape time (queue depth, projection lag, ...).
    /// `help` must be the same text on every call for one `name`.
    public static func sample(
        _ name: String,
        labels: [(String, String)] = [],
        help: String,
        value: Double,
        in registry: PrometheusCollectorRegistry
    ) {
        registry.makeGauge(name: name, labels: labels, help: help).set(value)
    }
}
