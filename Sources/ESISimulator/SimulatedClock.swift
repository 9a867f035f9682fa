import Foundation
import Synchronization

/// The simulator's clock: real time, real time accelerated, or moved only by an admin call.
///
/// Simulated time starts at `origin` and never runs backwards. Everything the world shows is a
/// function of the seed and this clock, so the same seed and clock readings give the same bytes.
public final class SimulatedClock: Sendable {
    public enum Mode: Sendable, Equatable {
        case real
        case fast(factor: Double)
        case manual
    }

    public let mode: Mode
    public let origin: Date
    private let state: Mutex<(startedAt: Date, offset: TimeInterval)>

    public init(mode: Mode, origin: Date) {
        self.mode = mode
        self.origin = origin
        self.state = Mutex((Date(), 0))
    }

    /// Parses `real`, `fast:FACTOR` or `manual`.
    public static func mode(parsing text: String) -> Mode? {
        switch text {
        case "real": return .real
        case "manual": return .manual
        default:
            guard text.hasPrefix("fast:"), let factor = Double(text.dropFirst(5)), factor > 0 else { return nil }
            return .fast(factor: factor)
        }
    }

    /// The current simulated time.
    public func now() -> Date {
        let (startedAt, offset) = self.state.withLock { ($0.startedAt, $0.offset) }
        let elapsed = Date().timeIntervalSince(startedAt)
        switch self.mode {
        case .real: return self.origin.addingTimeInterval(elapsed + offset)
        case .fast(let factor): return self.origin.addingTimeInterval(elapsed * factor + offset)
        case .manual: return self.origin.addingTimeInterval(offset)
        }
    }

    /// Moves simulated time forward (in every mode).
    public func advance(by seconds: TimeInterval) {
        precondition(seconds >= 0, "simulated time never runs backwards")
        self.state.withLock { $0.offset += seconds }
    }
}
