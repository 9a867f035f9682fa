import Foundation
import HTTPTypes
import Hummingbird
import Migrations
import NIOCore
import Postgres
import Projections

/// Probes for a load balancer, systemd or an orchestrator, open to anyone (they say nothing about
/// characters): `/healthz` that the process answers, asking nothing else; `/readyz` that it can
/// do its work: the database answers, its schema is this build's, and every read model is
/// installed and within `maximumLag` of the log. Not ready is a 503 naming what is wrong.
struct HealthController {
    let app: WebApp
    /// How far behind the log (the age of the oldest event a read model has not applied) still
    /// counts as ready.
    var maximumLag: TimeInterval = 300

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.get("/healthz") { _, _ in Self.json(.ok, "ok") }
        routes.get("/readyz") { _, _ in await self.readiness() }
        return routes
    }

    /// Each check's verdict: "ok", or what is wrong in words.
    func checks() async -> [String: String] {
        var checks = ["database": "ok", "migrations": "not checked", "read_models": "not checked"]
        do {
            let applied = try await self.app.pool.withConnection { try Migrator().appliedVersions($0) }
            let pending = Migrator().known.filter { !applied.contains($0.version) }.map(\.name)
            checks["migrations"] = pending.isEmpty ? "ok" : "pending: \(pending.joined(separator: ", "))"
        } catch {
            // No detail: the probe answers anyone, and a connection error names hosts and users.
            checks["database"] = "unreachable"
            return checks
        }
        do {
            let status = try await ProjectionStatus.load(self.app.pool)
            let stale = status.projectors.filter(\.needsRebuild).map(\.name)
            let behind = status.projectors.filter { $0.lagSeconds > self.maximumLag }
            if !stale.isEmpty {
                checks["read_models"] = "to be rebuilt: \(stale.joined(separator: ", "))"
            } else if let worst = behind.max(by: { $0.lagSeconds < $1.lagSeconds }) {
                checks["read_models"] =
                    "\(behind.count) behind the log by more than \(Int(self.maximumLag)) s "
                    + "(\(worst.name): \(Int(worst.lagSeconds)) s)"
            } else {
                checks["read_models"] = "ok"
            }
        } catch {
            checks["read_models"] = "unreadable"
        }
        return checks
    }

    private func readiness() async -> Response {
        let checks = await self.checks()
        let ready = checks.values.allSatisfy { $0 == "ok" }
        return Self.json(ready ? .ok : .serviceUnavailable, ready ? "ready" : "not ready", checks: checks)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String, checks: [String: String]? = nil) -> Response
    {
        struct Body: Encodable {
            var status: String
            var checks: [String: String]?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Body(status: text, checks: checks))) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
