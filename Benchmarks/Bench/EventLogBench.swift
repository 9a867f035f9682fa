import ArgumentParser
import Crypto
import EventLog
import Foundation
import LZ4
import Migrations
import Postgres

struct EventLogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-log",
        abstract: "Codec throughput, batched appends (small and realistic payloads) and dedup of the event log.",
        discussion: """
            Connects with libpq's PG* variables (tools/bench starts a throwaway server) and makes a \
            fresh database for every run. Prints medians over --runs runs.
            """
    )

    @Option(help: "Repetitions of each measurement.") var runs = 5
    @Option(help: "Events with small unique payloads appended per run.") var smallEvents = 100_000
    @Option(help: "Events per append batch for the small-payload run.") var batchSize = 500
    @Option(help: "Events with realistic 2–200 KB payloads appended per run.") var realisticEvents = 1_000
    @Option(help: "Events per append batch for the realistic run.") var realisticBatchSize = 20
    @Option(help: "Concurrent appenders in the small-payload run.") var writers = 1

    func run() async throws {
        print("machine: \(machineDescription())")
        var rng = SplitMix64(seed: 42)
        let sizes = realisticSizes(count: self.realisticEvents, rng: &rng)
        let corpus = sizes.enumerated().map { index, size in
            makePayload(index % 2 == 0 ? .assets : .journal, bytes: size, rng: &rng)
        }
        let corpusBytes = Double(corpus.map(\.count).reduce(0, +))
        print(
            "realistic corpus: \(corpus.count) payloads, \(String(format: "%.1f", corpusBytes / 1e6)) MB, "
                + "\(sizes.min()! / 1000)–\(sizes.max()! / 1000) KB"
        )

        // Codec: one core, no database.
        var compress = Samples()
        var decompress = Samples()
        var hashing = Samples()
        var compressedBytes = 0
        for _ in 0..<self.runs {
            var frames = [[UInt8]]()
            frames.reserveCapacity(corpus.count)
            compress.add(corpusBytes / 1e6 / measure { for payload in corpus { frames.append(LZ4.compress(payload)) } })
            compressedBytes = frames.map(\.count).reduce(0, +)
            decompress.add(
                corpusBytes / 1e6
                    / (try measure {
                        for (frame, payload) in zip(frames, corpus) {
                            _ = try LZ4.decompress(frame, rawSize: payload.count)
                        }
                    })
            )
            hashing.add(corpusBytes / 1e6 / measure { for payload in corpus { _ = SHA256.hash(data: payload) } })
        }
        print("LZ4 compress (1 core):   \(compress.describe("MB/s"))")
        print("LZ4 decompress (1 core): \(decompress.describe("MB/s"))")
        print("SHA-256 (1 core):        \(hashing.describe("MB/s"))")
        print("LZ4 ratio on the realistic corpus: \(String(format: "%.2f", corpusBytes / Double(compressedBytes)))x")

        // Appends of small unique payloads, in batches.
        var smallRate = Samples()
        var smallCPU = Samples()
        for run in 0..<self.runs {
            try await withBenchDatabase { store in
                let perWriter = self.smallEvents / self.writers
                // Events are made before the clock starts: the benchmark measures the log, not the harness.
                let batches = (0..<self.writers).map { writer in
                    stride(from: writer * perWriter, to: (writer + 1) * perWriter, by: self.batchSize).map { start in
                        (start..<min(start + self.batchSize, (writer + 1) * perWriter)).map {
                            smallEvent(index: $0 + run * 10_000_000)
                        }
                    }
                }
                let cpuBefore = processCPUSeconds()
                let seconds = try await measureAsync {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writerBatches in batches {
                            group.addTask { for batch in writerBatches { try await store.append(batch) } }
                        }
                        try await group.waitForAll()
                    }
                }
                smallRate.add(Double(perWriter * self.writers) / seconds)
                smallCPU.add((processCPUSeconds() - cpuBefore) / Double(perWriter * self.writers) * 1e6)
            }
        }
        print(
            "append, small payloads, batches of \(self.batchSize), \(self.writers) writer(s): \(smallRate.describe("events/s", digits: 0))"
        )
        print("  client CPU per event: \(smallCPU.describe("µs"))")

        // Appends of realistic payloads, then the same payloads again.
        var realisticRate = Samples()
        var realisticBytes = Samples()
        var storageRatio = Samples()
        var dedupGrowth = [Int64]()
        for _ in 0..<self.runs {
            try await withBenchDatabase { store in
                let events = corpus.enumerated().map { index, payload in
                    realisticEvent(payload, index: index, at: Date(timeIntervalSince1970: 1_764_000_000))
                }
                let seconds = try await measureAsync {
                    for start in stride(from: 0, to: events.count, by: self.realisticBatchSize) {
                        try await store.append(
                            Array(events[start..<min(start + self.realisticBatchSize, events.count)])
                        )
                    }
                }
                realisticRate.add(Double(events.count) / seconds)
                realisticBytes.add(corpusBytes / 1e6 / seconds)
                let first = try await store.statistics()
                storageRatio.add(first.compressionRatio)
                // The same data fetched again an hour later: only event rows may grow.
                let again = corpus.enumerated().map { index, payload in
                    realisticEvent(payload, index: index, at: Date(timeIntervalSince1970: 1_764_003_600))
                }
                for start in stride(from: 0, to: again.count, by: self.realisticBatchSize) {
                    try await store.append(Array(again[start..<min(start + self.realisticBatchSize, again.count)]))
                }
                let second = try await store.statistics()
                dedupGrowth.append(second.payloadStoredBytes - first.payloadStoredBytes)
            }
        }
        print(
            "append, realistic 2–200 KB payloads, batches of \(self.realisticBatchSize): "
                + "\(realisticRate.describe("events/s", digits: 0)), \(realisticBytes.describe("MB/s raw JSON"))"
        )
        print("stored compression ratio (raw / stored): \(String(format: "%.2f", storageRatio.median))x")
        print("new payload bytes when the same \(corpus.count) payloads are appended again: \(dedupGrowth)")
    }
}

/// Runs `body` with an event store on a fresh, migrated database, dropped afterwards.
func withBenchDatabase(_ body: (EventStore) async throws -> Void) async throws {
    let name = "bench_\(UInt32.random(in: 0...UInt32.max))"
    try await runBlocking {
        try PostgresConnection(conninfo: "dbname=postgres").executeScript("CREATE DATABASE \(name)")
    }
    let pool = PostgresPool(conninfo: "dbname=\(name)", maxConnections: 4)
    try await pool.withConnection { _ = try Migrator().migrate($0) }
    try await body(EventStore(pool: pool))
    pool.close()
    try await runBlocking {
        try PostgresConnection(conninfo: "dbname=postgres").executeScript("DROP DATABASE \(name) WITH (FORCE)")
    }
}

func smallEvent(index: Int) -> NewEvent {
    let time = Date(timeIntervalSince1970: 1_764_000_000 + Double(index))
    return NewEvent(
        stream: .character(2_112_000_000 + Int64(index % 1000)),
        section: ["location", "online", "ship"][index % 3],
        route: "/characters/{character_id}/location",
        parameters: ["character_id": "\(2_112_000_000 + index % 1000)"],
        outcome: .fetched,
        httpStatus: 200,
        etag: "\"\(index)\"",
        lastModified: time,
        expires: time.addingTimeInterval(5),
        pages: 1,
        fetchedAt: time,
        payload: .bytes(makeSmallPayload(index: index)),
        compatibilityDate: "2025-12-16"
    )
}

func realisticEvent(_ payload: [UInt8], index: Int, at time: Date) -> NewEvent {
    NewEvent(
        stream: .character(2_112_000_000 + Int64(index)),
        section: index % 2 == 0 ? "assets" : "wallet_journal",
        route: index % 2 == 0 ? "/characters/{character_id}/assets" : "/characters/{character_id}/wallet/journal",
        parameters: ["character_id": "\(2_112_000_000 + index)"],
        outcome: .fetched,
        httpStatus: 200,
        lastModified: time,
        expires: time.addingTimeInterval(3600),
        pages: 1,
        fetchedAt: time,
        payload: .bytes(payload),
        compatibilityDate: "2025-12-16"
    )
}
