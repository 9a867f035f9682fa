// Deterministic ESI-shaped JSON for benchmarks: assets-like and wallet-journal-like arrays, and
// the small objects of location, online and ship fetches.

import Foundation

/// A small, fast, deterministic random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum PayloadKind: String, CaseIterable {
    case assets
    case journal
}

private let flags = [
    "Hangar", "Cargo", "HiSlot0", "HiSlot1", "MedSlot0", "LoSlot0", "DroneBay", "ShipHangar", "Deliveries",
]
private let typeIDs = [34, 35, 36, 37, 587, 603, 621, 2_046, 2_048, 3_170, 12_058, 17_738, 24_692, 44_992, 40_520]
private let locations = [60_003_760, 60_008_494, 60_011_866, 60_004_588, 1_035_466_617_946]
private let refTypes = [
    "market_transaction", "player_donation", "bounty_prizes", "agent_mission_reward", "brokers_fee", "transaction_tax",
]

/// A JSON array of about `bytes` bytes in the shape of an ESI assets or journal page.
func makePayload(_ kind: PayloadKind, bytes: Int, rng: inout SplitMix64) -> [UInt8] {
    var text = "["
    var id = 1_000_000_000_000 + Int(rng.next() % 1_000_000_000)
    while text.utf8.count < bytes - 2 {
        if text.count > 1 { text += "," }
        id += Int(rng.next() % 1000) + 1
        switch kind {
        case .assets:
            text +=
                "{\"is_blueprint_copy\":false,\"is_singleton\":\(rng.next() % 5 == 0),\"item_id\":\(id),"
                + "\"location_flag\":\"\(flags[Int(rng.next() % UInt64(flags.count))])\","
                + "\"location_id\":\(locations[Int(rng.next() % UInt64(locations.count))]),"
                + "\"location_type\":\"station\",\"quantity\":\(rng.next() % 50_000 + 1),"
                + "\"type_id\":\(typeIDs[Int(rng.next() % UInt64(typeIDs.count))])}"
        case .journal:
            let amount = Double(Int64(rng.next() % 2_000_000_000) - 1_000_000_000) / 100
            text +=
                "{\"amount\":\(amount),\"balance\":\(Double(rng.next() % 100_000_000_000) / 100),"
                + "\"date\":\"2026-11-\(10 + rng.next() % 15)T\(10 + rng.next() % 13):\(10 + rng.next() % 49):00Z\","
                + "\"description\":\"Market: Some Pilot bought stuff\",\"first_party_id\":\(90_000_000 + rng.next() % 9_000_000),"
                + "\"id\":\(id),\"ref_type\":\"\(refTypes[Int(rng.next() % UInt64(refTypes.count))])\","
                + "\"second_party_id\":\(1_000_000 + rng.next() % 1_000),\"tax\":0.0}"
        }
    }
    return Array((text + "]").utf8)
}

/// A small JSON object like a location or ship fetch (about 100 bytes), unique per `index`.
func makeSmallPayload(index: Int) -> [UInt8] {
    Array(
        "{\"solar_system_id\":\(30_000_142 + index % 500),\"station_id\":\(60_003_760 + index % 97),\"ship_item_id\":\(1_000_000_000_000 + index),\"ship_type_id\":587}"
            .utf8
    )
}

/// Sizes from 2 KB to 200 KB, spread log-uniformly like real characters' pages.
func realisticSizes(count: Int, rng: inout SplitMix64) -> [Int] {
    (0..<count).map { _ in
        let exponent = Double(rng.next() % 10_000) / 10_000 * 2  // 10^0 ... 10^2
        return Int(2_000 * pow(10, exponent))
    }
}
