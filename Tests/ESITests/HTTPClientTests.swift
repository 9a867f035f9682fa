import ESI
import ESISimulator
import Foundation
import Hummingbird
import Logging
import Testing

/// Runs a simulator on a free loopback port for the duration of `body`.
func withSimulator<T: Sendable>(
    faults: Faults = Faults(),
    _ body: @Sendable (String, Simulator) async throws -> T
) async throws -> T {
    var configuration = SimulatorConfiguration()
    configuration.characters = 3
    configuration.faults = faults
    let simulator = Simulator(configuration)
    return try await SimulatorServer.withRunning(simulator) { try await body($0, simulator) }
}

@Suite struct HTTPClientTests {
    let client = HTTPClient(userAgent: "memberaudit-tests (maintainers@example.invalid)")

    @Test func getsAnswersWithTheirHeaders() async throws {
        try await withSimulator { base, _ in
            let response = try await self.client.send(ClientRequest(url: "\(base)/status"))
            #expect(response.status == 200)
            #expect(response.header("etag") != nil)
            #expect(response.header("X-Ratelimit-Group") == "status")
            #expect(response.httpVersion == "1.1")
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(json?["server_version"] != nil)
        }
    }

    @Test func sendsHeadersAndGetsNotModified() async throws {
        try await withSimulator { base, _ in
            let first = try await self.client.send(ClientRequest(url: "\(base)/universe/types/587"))
            let tag = try #require(first.header("ETag"))
            let second = try await self.client.send(
                ClientRequest(url: "\(base)/universe/types/587", headers: [("If-None-Match", tag)])
            )
            #expect(second.status == 304)
            #expect(second.body.isEmpty)
        }
    }

    @Test func postsBodies() async throws {
        try await withSimulator { base, simulator in
            let id = simulator.world.characterIDs[0]
            let response = try await self.client.send(
                ClientRequest(
                    method: "POST",
                    url: "\(base)/universe/names",
                    headers: [("Content-Type", "application/json")],
                    body: Array("[\(id)]".utf8)
                )
            )
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains(simulator.world.name(ofCharacter: id)!))
        }
    }

    @Test func manyRequestsInFlightAtOnce() async throws {
        var faults = Faults()
        faults.latencyMilliseconds = 500
        try await withSimulator(faults: faults) { base, _ in
            let started = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        // A request's timeout runs while it waits for a connection too: generous,
                        // so a loaded machine's queue is not mistaken for a dead server.
                        try await self.client.send(
                            ClientRequest(url: "\(base)/universe/systems/\(30_000_142 + index % 3)", timeout: 120)
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 })
            // The server sleeps 500 ms before each answer, so one request after another cannot take
            // less than 50 s, however fast the machine; 20 connections at once take about 2.5 s.
            // Under the serial floor proves the requests overlapped without timing the machine (the
            // whole suite on two cores has stretched the 2.5 s to 31).
            #expect(ContinuousClock.now - started < .seconds(45))
        }
    }

    @Test func aRequestThatHangsTimesOut() async throws {
        var faults = Faults()
        faults.timeoutRate = 1
        faults.timeoutSeconds = 30
        try await withSimulator(faults: faults) { base, _ in
            let started = ContinuousClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await self.client.send(ClientRequest(url: "\(base)/universe/types/587", timeout: 0.5))
            }
            #expect(error?.kind == .timedOut)
            // The answer would come after 30 s. The bound only has to tell "gave up" from "waited":
            // the whole suite shares two cores, so scheduling alone can take seconds at its start.
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test func aRefusedConnectionIsAnError() async throws {
        // Bind a port, then close it: nothing listens there.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(probe, $0, length)
                _ = getsockname(probe, $0, &length)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(probe)
        let error = await #expect(throws: HTTPClientError.self) {
            try await self.client.send(ClientRequest(url: "http://127.0.0.1:\(port)/status", timeout: 5))
        }
        #expect(error?.kind == .couldNotConnect)
    }

    @Test func cancellingTheTaskCancelsTheRequest() async throws {
        var faults = Faults()
        faults.latencyMilliseconds = 30_000
        try await withSimulator(faults: faults) { base, _ in
            let started = ContinuousClock.now
            let task = Task { try await self.client.send(ClientRequest(url: "\(base)/universe/types/587")) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            // The answer would come after 30 s; see aRequestThatHangsTimesOut for why the bound is loose.
            #expect(ContinuousClock.now - started < .seconds(15))
            guard case .failure(let error as HTTPClientError) = result else {
                Issue.record("expected a cancellation error, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
        }
    }
}
