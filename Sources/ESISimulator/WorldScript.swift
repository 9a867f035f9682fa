import Foundation
import StaticData

/// Scripted changes to one character, for tests that need a known history: "the ship moves on
/// day 3, an item is sold on day 5". The first script call also stops the character's random
/// hourly events.
public enum ScriptedChange: Sendable {
    /// The character goes to a solar system (and docks in a station, when given).
    case travel(solarSystemID: Int, stationID: Int?)
    /// An item moves to another station.
    case moveAsset(itemID: Int, locationID: Int)
    /// An item is sold on the market: it leaves the assets, the wallet gains the price, with a
    /// journal entry and a transaction.
    case sellAsset(itemID: Int, price: Double, buyerID: Int)
    /// Only stop random events.
    case freeze
    /// A new item in a station hangar (any type id, also one of `PatchTypes`).
    case giveAsset(typeID: Int, quantity: Int, locationID: Int?)

    init?(_ body: [String: Any]) {
        func int(_ key: String) -> Int? { (body[key] as? NSNumber)?.intValue }
        switch body["op"] as? String {
        case "travel":
            guard let system = int("solar_system_id") else { return nil }
            self = .travel(solarSystemID: system, stationID: int("station_id"))
        case "move_asset":
            guard let item = int("item_id"), let location = int("location_id") else { return nil }
            self = .moveAsset(itemID: item, locationID: location)
        case "sell_asset":
            guard let item = int("item_id"), let price = (body["price"] as? NSNumber)?.doubleValue else { return nil }
            self = .sellAsset(itemID: item, price: price, buyerID: int("buyer_id") ?? 1_000_125)
        case "freeze":
            self = .freeze
        case "give_asset":
            guard let type = int("type_id"), type > 0 else { return nil }
            self = .giveAsset(typeID: type, quantity: max(1, int("quantity") ?? 1), locationID: int("location_id"))
        default:
            return nil
        }
    }
}

extension World {
    /// Applies a scripted change at `time` (the character is first advanced to it). False: no such
    /// character or item.
    public func script(_ id: Int, _ change: ScriptedChange, at time: Date) -> Bool {
        guard self.character(id, at: time) != nil else { return false }
        return self.withCharacter(id) { character -> Bool in
            character.isScripted = true
            switch change {
            case .freeze:
                return true
            case .giveAsset(let type, let quantity, let location):
                let itemID = (character.assets.map(\.itemID).max() ?? 1_000_000_000_000) + 1
                let station = location ?? character.stationID ?? character.assets.first?.locationID ?? 60_003_760
                character.assets.append(
                    Asset(
                        itemID: itemID,
                        typeID: type,
                        locationID: station,
                        locationFlag: "Hangar",
                        locationType: "station",
                        quantity: quantity,
                        isSingleton: false,
                        isBlueprintCopy: nil,
                        name: nil
                    )
                )
                return true
            case .travel(let system, let station):
                character.solarSystemID = system
                character.stationID = station
                return true
            case .moveAsset(let item, let location):
                guard let index = character.assets.firstIndex(where: { $0.itemID == item }) else { return false }
                character.assets[index].locationID = location
                character.assets[index].locationType = "station"
                character.assets[index].locationFlag = "Hangar"
                return true
            case .sellAsset(let item, let price, let buyer):
                guard let index = character.assets.firstIndex(where: { $0.itemID == item }) else { return false }
                let asset = character.assets.remove(at: index)
                let journal = WorldEvolution.addJournal(
                    &character,
                    at: time,
                    refType: "market_transaction",
                    amount: price,
                    party: buyer
                )
                let transaction =
                    (character.transactions.last?.id ?? 5_000_000_000 + character.id % 100_000 * 100_000) + 1
                character.transactions.append(
                    Transaction(
                        id: transaction,
                        date: time,
                        typeID: asset.typeID,
                        quantity: asset.quantity,
                        unitPrice: price / Double(max(asset.quantity, 1)),
                        isBuy: false,
                        clientID: buyer,
                        locationID: asset.locationID,
                        journalRefID: journal
                    )
                )
                return true
            }
        } ?? false
    }
}
