import Foundation
import FoundationNetworking
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// `memberaudit run` (everything in one process), the metrics listener of `run`, `serve` and
/// `worker`, and the large-install layout: several processes sharing one database.
@Suite struct RunCommandTests {
    @Test func thePrometheusReaderRejectsWhatPrometheusRejects() throws {
        let good = """
            # HELP a_total Things.
            # TYPE a_total counter
            a_total{kind="x",note="say \\"hi\\"\\n"} 3
            a_total{kind="y"} 0.5 1700000000000
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 0.3
            h_count 2
            g NaN

            """
        let parsed = try PrometheusText(parsing: good)
        #expect(parsed.value("a_total", ["kind": "x", "note": "say \"hi\"\n"]) == 3)
        #expect(parsed.value("h_count") == 2)
        #expect(parsed.value("g")?.isNaN == true)
        let bad = [
            "1a 3": "a name starting with a digit",
            "a{b=\"c\"} x": "a value that is no number",
            "a{b=c} 1": "an unquoted label value",
            "a{b=\"c\\t\"} 1": "an escape the format lacks",
            "a 1\nb 1\na{x=\"y\"} 1": "a family split in two groups",
            "a 1\na 2": "a repeated series",
            "a 1\n# TYPE a counter": "TYPE after the samples",
            "# TYPE a counter\na -1": "a negative counter",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1": "falling buckets",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3": "a count unlike +Inf's",
            "# TYPE a countr\na 1": "an unknown type",
        ]
        for (text, what) in bad {
            #expect(throws: PrometheusText.Malformed.self, "\(what) was accepted") { try PrometheusText(parsing: text) }
        }
    }

    /// On a machine with nothing set up but the program: the embedded PostgreSQL, the web app, two
    /// sync engines and the read models, in one process; /metrics parses and tells what happened.
    @Test func runServesSyncsAndReportsMetricsWithNothingElseRunning() async throws {
        let (simulator, base, tokens) = try await startSimulator(characters: 2)
        defer { simulator.terminate() }
        let data = FileManager.default.temporaryDirectory.appending(path: "memberaudit-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        var environment = simulatorEnvironment(database: "", simulator: base)
        environment["MEMBERAUDIT_DATA_DIR"] = data.path
        environment["MEMBERAUDIT_LOG_FORMAT"] = "json"
        var failure: (any Error)?
        do { try await self.runScenario(environment, tokens: tokens) } catch { failure = error }
        // The embedded server must not outlive a failed test (after a passing one it is stopped).
        _ = try? await runMemberAudit(["database", "stop"], environment: environment)
        if let failure { throw failure }
    }

    private func runScenario(_ environment: [String: String], tokens: [String]) async throws {
        for token in tokens {
            let add = try await runMemberAudit(
                ["characters", "add", "--refresh-token", token],
                environment: environment
            )
            #expect(add.status == 0, "\(add.output)")
        }

        let (process, printed) = try launchMemberAudit(
            ["run", "--port", "0", "--metrics-port", "0", "--workers", "2"],
            environment: environment
        )
        defer { if process.isRunning { process.terminate() } }
        let (web, metrics) = try await listeners(of: printed, process: process)

        // Every section of both characters synced, recorded, projected: the metrics say so.
        var exposition: PrometheusText?
        for _ in 0..<240 {
            try await Task.sleep(for: .milliseconds(500))
            let scraped = try PrometheusText(parsing: try await fetch(metrics + "/metrics").body)
            let synced = scraped.series("memberaudit_sync_sections_total").reduce(0) { $0 + $1.value }
            let behind = scraped.series("memberaudit_projection_events_behind").reduce(0) { $0 + $1.value }
            if synced >= 48, behind == 0 {
                exposition = scraped
                break
            }
        }
        let scraped = try #require(exposition, "the sync did not finish: \(printed.text)")
        #expect(scraped.value("memberaudit_database_up") == 1)
        #expect(scraped.value("memberaudit_characters", ["state": "registered"]) == 2)
        #expect(scraped.value("memberaudit_sync_sections_total", ["section": "skills", "outcome": "fetched"]) == 2)
        #expect(scraped.series("memberaudit_sync_sections_total").reduce(0) { $0 + $1.value } == 48)
        #expect((scraped.value("memberaudit_eventlog_appended_events_total") ?? 0) >= 48)
        #expect((scraped.value("memberaudit_eventlog_payload_bytes_total", ["kind": "raw"]) ?? 0) > 0)
        #expect((scraped.value("memberaudit_esi_requests_total", ["status": "200"]) ?? 0) >= 48)
        #expect(scraped.value("memberaudit_esi_error_limit_remaining") != nil)
        #expect(scraped.series("memberaudit_projection_lag_seconds").count >= 10)
        #expect(scraped.value("memberaudit_sync_queue_sections", ["state": "queued"]) == 48)
        #expect(scraped.value("memberaudit_projection_quarantined_events") == 0)
        #expect(scraped.types["memberaudit_sync_sections_total"] == "counter")

        // The web app answers, with request ids, and its requests are counted by route family.
        let ready = try await fetch(web + "/readyz")
        #expect(ready.status == 200, "\(ready.body)")
        let requestID = try #require(ready.requestID)
        // Hummingbird's ids are 128 random bits in hexadecimal, leading zeros left out.
        #expect((1...32).contains(requestID.count) && requestID.allSatisfy(\.isHexDigit), "\(requestID)")
        // Its log line, a JSON object with the request id the answer carried.
        var logged = false
        for _ in 0..<50 where !logged {
            logged = printed.text.split(separator: "\n").contains { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    return false
                }
                return object["hb.request.id"] as? String == requestID
                    && object["message"] as? String == "GET /readyz 200"
                    && object["family"] as? String == "readyz"
            }
            if !logged { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(logged, "no JSON log line for the request: \(printed.text.suffix(2000))")
        #expect(try await fetch(web + "/healthz").status == 200)
        #expect(try await fetch(web + "/no/such/page").status == 404)
        let after = try PrometheusText(parsing: try await fetch(metrics + "/metrics").body)
        #expect(after.value("memberaudit_web_requests_total", ["family": "readyz", "status": "200"]) == 1)
        #expect(after.value("memberaudit_web_requests_total", ["family": "other", "status": "404"]) == 1)
        #expect(after.value("memberaudit_web_request_duration_seconds_count", ["family": "healthz"]) == 1)
        #expect(after.types["memberaudit_web_request_duration_seconds"] == "histogram")
        // The public router has no /metrics.
        #expect(try await fetch(web + "/metrics").status == 404)

        process.terminate()
        for _ in 0..<600 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning && process.terminationStatus == 0, "\(printed.text)")
        // The process started the embedded server and, alone on it, stopped it.
        let status = try await runMemberAudit(["database", "status"], environment: environment)
        #expect(status.output.contains("not running"), "\(status.output)")

    }

    /// The large-install layout on one machine: two worker processes and a web process on one
    /// database. Every section is synced exactly once between the workers, and the web process
    /// serves read models that are current.
    @Test func twoWorkersAndAWebServerShareOneDatabase() async throws {
        try await withCLISession(characters: 2) { session in
            for token in session.tokens {
                let add = try await session.run(["characters", "add", "--refresh-token", token])
                #expect(add.status == 0, "\(add.output)")
            }
            let (serve, served) = try launchMemberAudit(
                ["serve", "--port", "0", "--metrics-port", "0"],
                environment: session.environment
            )
            defer { if serve.isRunning { serve.terminate() } }
            let workers = try (0..<2).map { _ in
                try launchMemberAudit(["worker", "--metrics-port", "0"], environment: session.environment)
            }
            defer { for (worker, _) in workers where worker.isRunning { worker.terminate() } }
            let (web, webMetrics) = try await listeners(of: served, process: serve)
            var workerMetrics = [String]()
            for (worker, printed) in workers {
                workerMetrics.append(try await metricsListener(of: printed, process: worker))
            }

            var counts = [Double]()
            for _ in 0..<240 {
                try await Task.sleep(for: .milliseconds(500))
                counts = []
                for url in workerMetrics {
                    let scraped = try PrometheusText(parsing: try await fetch(url + "/metrics").body)
                    counts.append(scraped.series("memberaudit_sync_sections_total").reduce(0) { $0 + $1.value })
                }
                if counts.reduce(0, +) >= 48 { break }
            }
            // 2 characters × 24 sections, each once: none lost, none synced by both workers.
            #expect(counts.reduce(0, +) == 48, "per worker: \(counts)")
            let database = try PostgresConnection(conninfo: session.conninfo)
            let twice = try database.query(
                "SELECT count(*) FROM (SELECT 1 FROM sync.runs GROUP BY character_id, section HAVING count(*) > 1) x"
            )[0].get(0, as: Int64.self)
            #expect(twice == 0)
            #expect(
                try database.query("SELECT count(*) FROM sync.workers WHERE stopped_at IS NULL")[0].get(
                    0,
                    as: Int64.self
                )
                    == 2
            )

            // The web process sees the workers' results: its read models are current.
            var current = false
            for _ in 0..<120 where !current {
                try await Task.sleep(for: .milliseconds(500))
                let scraped = try PrometheusText(parsing: try await fetch(webMetrics + "/metrics").body)
                current =
                    scraped.series("memberaudit_projection_events_behind").allSatisfy { $0.value == 0 }
                    && scraped.value("memberaudit_sync_workers_active") == 2
            }
            #expect(current)
            #expect(try await fetch(web + "/readyz").status == 200)

            for (worker, _) in workers { worker.terminate() }
            serve.terminate()
            for _ in 0..<600 where serve.isRunning || workers.contains(where: { $0.0.isRunning }) {
                try await Task.sleep(for: .milliseconds(50))
            }
            for (process, printed) in workers + [(serve, served)] {
                #expect(!process.isRunning && process.terminationStatus == 0, "\(printed.text)")
            }
        }
    }
}

/// The web app's and the metrics listener's base URLs, as the process prints them at start.
private func listeners(of printed: Printed, process: ChildProcess) async throws -> (web: String, metrics: String) {
    let metrics = try await metricsListener(of: printed, process: process)
    let web = try await printedURL(in: printed, process: process, after: "serving ")
    return (web, metrics)
}

private func metricsListener(of printed: Printed, process: ChildProcess) async throws -> String {
    let url = try await printedURL(in: printed, process: process, after: "metrics at ")
    return String(url.dropLast("/metrics".count))
}

/// The first `http://…` after `marker` in what the process printed, waiting for it.
private func printedURL(in printed: Printed, process: ChildProcess, after marker: String) async throws -> String {
    for _ in 0..<1200 {
        let text = printed.text
        if let start = text.range(of: marker), let url = text[start.upperBound...].range(of: "http://") {
            let rest = text[url.lowerBound...]
            return String(rest.prefix { !$0.isWhitespace })
        }
        guard process.isRunning else { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestSetupError("no '\(marker)' line: \(printed.text)")
}

private func fetch(_ url: String) async throws -> (status: Int, body: String, requestID: String?) {
    var request = URLRequest(url: try #require(URL(string: url)))
    request.timeoutInterval = 30
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "X-Request-Id"))
}
