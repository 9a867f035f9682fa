import Foundation
import StaticData
import Vocabulary

/// A ship fitting in EFT's text format, as EVE and fitting tools copy it:
///
///     [Rifter, Tackle Rifter]
///     Damage Control I
///     [Empty Low slot]
///
///     200mm AutoCannon I, EMP S
///     Warp Disruptor I /OFFLINE
///
///     Hobgoblin I x5
///
/// The first line names the ship and the fitting; sections are separated by blank lines (slots,
/// drones, cargo: all count alike here). A module may carry a charge after a comma, any item may
/// end in `xN`, `/OFFLINE` marks an offlined module, and `[Empty ... slot]` an empty one.
public struct Fitting: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var name: String
        public var quantity: Int
        public var isOffline: Bool
        public var line: Int
    }

    public var shipName: String
    public var fittingName: String
    public var items: [Item]

    public static func parse(_ text: String) throws(SkillSetError) -> Fitting {
        let lines = textLines(text).map(\.text)
        guard let headerIndex = lines.firstIndex(where: { !$0.isEmpty }) else {
            throw SkillSetError(.notAFitting, "the fitting is empty")
        }
        let header = lines[headerIndex]
        guard header.hasPrefix("["), header.hasSuffix("]") else {
            throw SkillSetError(
                .notAFitting,
                "line \(headerIndex + 1): expected \"[Ship, Fitting name]\", found \"\(header)\""
            )
        }
        let inner = header.dropFirst().dropLast()
        let parts = inner.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let ship = parts.first, !ship.isEmpty else {
            throw SkillSetError(.notAFitting, "line \(headerIndex + 1): the header names no ship")
        }
        var fitting = Fitting(shipName: ship, fittingName: parts.count > 1 ? parts[1] : "", items: [])
        for index in lines.indices where index > headerIndex {
            var line = Substring(lines[index])
            guard !line.isEmpty else { continue }
            // "[Empty Low slot]", "[Empty Rig slot]", ...
            if line.hasPrefix("[") && line.hasSuffix("]") && line.lowercased().hasPrefix("[empty") { continue }
            var offline = false
            if line.hasSuffix("/OFFLINE") || line.hasSuffix("/offline") {
                offline = true
                line = line.dropLast("/OFFLINE".count)
                line = Substring(line.trimmingCharacters(in: .whitespaces))
            }
            var quantity = 1
            if let x = line.lastIndex(of: "x"), x > line.startIndex, line[line.index(before: x)] == " ",
                let count = Int(line[line.index(after: x)...]), count > 0
            {
                quantity = count
                line = Substring(line[..<x].trimmingCharacters(in: .whitespaces))
            }
            // "Module, Charge": both are items (the charge's skills count too).
            let names = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            for name in names where !name.isEmpty {
                fitting.items.append(Item(name: name, quantity: quantity, isOffline: offline, line: index + 1))
            }
        }
        return fitting
    }

    /// The ship's and items' names the catalog does not know (to ask ESI about), in order.
    public func unknownNames(catalog: SkillCatalog) -> [String] {
        var seen = Set<String>()
        return ([self.shipName] + self.items.map(\.name)).filter {
            catalog.typeID(named: $0) == nil && seen.insert($0.lowercased()).inserted
        }
    }

    /// The skill set a fitting needs: the ship's and every item's required skills, with their whole
    /// prerequisite chain, at the highest level each is needed. Names the static data does not
    /// know are reported as issues.
    public func skillSet(
        name: String? = nil,
        catalog: SkillCatalog
    ) throws(SkillSetError)
        -> ImportedSkillSet
    {
        guard let shipID = catalog.typeID(named: self.shipName) else {
            throw SkillSetError(.unknownShip, "unknown ship \"\(self.shipName)\"")
        }
        var requirements = catalog.directRequirements(ofType: shipID)
        var issues = [ImportIssue]()
        for item in self.items {
            guard let id = catalog.typeID(named: item.name) else {
                issues.append(ImportIssue(line: item.line, text: item.name, problem: "unknown item"))
                continue
            }
            requirements += catalog.directRequirements(ofType: id)
        }
        let levels = catalog.expand(requirements)
        let skills = levels.keys.sorted { (catalog.name(of: $0), $0) < (catalog.name(of: $1), $1) }.map {
            SkillLevels(skillID: $0, required: levels[$0])
        }
        let setName = name ?? (self.fittingName.isEmpty ? self.shipName : self.fittingName)
        return ImportedSkillSet(
            skillSet: SkillSet(
                name: setName,
                description: "Generated from EFT fitting \"\(self.fittingName)\" (\(self.shipName))",
                shipTypeID: shipID,
                skills: skills
            ),
            issues: issues
        )
    }
}
