/// The titles of the four militias' ranks 0–9, as the game shows them (the list aa-memberaudit
/// 5.3.0 ships in `CharacterFwStats.RANKS`): ESI gives faction warfare ranks as numbers only.
enum MilitiaRanks {
    static let titles: [(faction: Int64, names: [String])] = [
        (
            500_003,  // Amarr Empire
            [
                "Paladin Crusader", "Templar Lieutenant", "Cardinal Lieutenant", "Arch Lieutenant", "Imperial Major",
                "Marshal Commander", "Imperator Commander", "Tribunus Colonel", "Legatus Commodore", "Divine Commodore",
            ]
        ),
        (
            500_001,  // Caldari State
            [
                "Protectorate Ensign", "Second Lieutenant", "First Lieutenant", "Captain", "Major",
                "Lieutenant Colonel", "Colonel", "Wing Commander", "Strike Commander", "Brigadier General",
            ]
        ),
        (
            500_004,  // Gallente Federation
            [
                "Federation Minuteman", "Defender Lieutenant", "Guardian Lieutenant", "Lieutenant Sentinel",
                "Shield Commander", "Aegis Commander", "Vice Commander", "Major General", "Lieutenant General",
                "Luminaire General",
            ]
        ),
        (
            500_002,  // Minmatar Republic
            [
                "Nation Warrior", "Spike Lieutenant", "Spear Lieutenant", "Venge Captain", "Lance Commander",
                "Blade Commander", "Talon Commander", "Voshud Major", "Matar Colonel", "Valklear General",
            ]
        ),
    ]

    /// The titles as SQL `VALUES` rows `(faction_id, rank, name)`: fixed text, no input.
    static let sqlValues: String = titles.flatMap { faction, names in
        names.enumerated().map { rank, name in "(\(faction), \(rank), '\(name)')" }
    }.joined(separator: ", ")
}
