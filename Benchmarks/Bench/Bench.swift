import ArgumentParser
import Foundation

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memberaudit-bench",
        abstract: "Benchmarks of Member Audit's parts. Run through tools/bench, which builds in release mode.",
        subcommands: [
            EventLogBench.self, SyncBench.self, RebuildBench.self, SkillSetsBench.self, AuditBench.self, WebBench.self,
            UniverseBench.self, StorageBench.self,
        ]
    )
}

/// Medians and spreads of repeated measurements.
struct Samples {
    var values: [Double] = []
    mutating func add(_ value: Double) { self.values.append(value) }
    var median: Double {
        let sorted = self.values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var min: Double { self.values.min() ?? 0 }
    var max: Double { self.values.max() ?? 0 }
    func describe(_ unit: String, digits: Int = 1) -> String {
        let format = "%.\(digits)f"
        return "\(String(format: format, self.median)) \(unit) (min \(String(format: format, self.min)), "
            + "max \(String(format: format, self.max)), n=\(self.values.count))"
    }
}

/// Seconds of wall time `body` takes.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func measureAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// CPU seconds this process has used (user + system).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// A line saying what machine the numbers come from.
func machineDescription() -> String {
    let cpu =
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), "
        + "\(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB"
}
