import Access
import Foundation
import Postgres
import Sync

/// One of the user's characters as the launcher shows it.
public struct LauncherCard: Sendable, Encodable {
    public var id: Int64
    public var name: String
    public var corporation: String?
    public var alliance: String?
    public var location: String?
    public var system: String?
    public var ship: String?
    public var wallet: Double?
    public var skillPoints: Int64?
    public var lastUpdate: Date?
    public var failingSections: Int64
    public var tokenState: String
    public var tokenError: String?
    public var enabled: Bool
    public var shared: Bool
    public var isMain: Bool
    /// This calendar month (UTC): the ore mined at market prices, and bounties and ESS payouts.
    public var minedThisMonth: Double?
    public var rattedThisMonth: Double?
}

public struct LauncherData: Sendable, Encodable {
    public var characters: [LauncherCard]
    /// Characters the user proved to own at a login but did not register.
    public var unregistered: [String]
    public var totalWallet: Double
    public var totalSkillPoints: Int64
    public var mayShare: Bool
    /// The user's joins and leaves of compliance groups in the last 30 days (the original
    /// notifies them).
    public var groupChanges: [ComplianceGroups.Change]

    /// What the launcher shows the viewer: their characters with their overview, the ones they
    /// own but did not register, totals, and their recent compliance-group changes.
    public static func load(_ viewer: Viewer, on connection: PostgresConnection) throws -> LauncherData {
        let cards = try connection.query(
            """
            SELECT c.id, coalesce(o.name, c.name), o.corporation_name, o.alliance_name, o.location_name,
                   o.solar_system_name, o.ship_type_name, o.wallet_balance, o.total_sp, o.last_update,
                   coalesce(o.failing_sections, 0), c.token_state, c.token_error, c.enabled,
                   s.character_id IS NOT NULL, u.main_character_id IS NOT DISTINCT FROM c.id, month.mined, month.ratted
            FROM sync.characters c
            JOIN sync.users u ON u.id = c.user_id
            -- Per character: OFFSET 0 keeps the planner from flattening the subquery, so the view's
            -- aggregation of update status reads this character's rows, not every character's.
            LEFT JOIN LATERAL (SELECT * FROM readmodel.character_overview v WHERE v.character_id = c.id OFFSET 0) o
                ON true
            LEFT JOIN access.shared_characters s ON s.character_id = c.id
            CROSS JOIN LATERAL (
                SELECT (SELECT sum(m.quantity * p.average_price) FROM readmodel.mining_ledger m
                        JOIN readmodel.market_prices p ON p.type_id = m.type_id
                        WHERE m.character_id = c.id AND m.date >= date_trunc('month', now() AT TIME ZONE 'UTC')::date)
                           AS mined,
                       (SELECT sum(j.amount) FROM readmodel.wallet_journal j
                        WHERE j.character_id = c.id AND j.ref_type IN ('bounty_prizes', 'ess_escrow_transfer')
                          AND j.date >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS ratted
            ) month
            WHERE c.user_id = \(viewer.userID)
            ORDER BY 16 DESC, 2
            """
        ).map { row in
            LauncherCard(
                id: try row.get(0),
                name: try row.get(1),
                corporation: try row.get(2),
                alliance: try row.get(3),
                location: try row.get(4),
                system: try row.get(5),
                ship: try row.get(6),
                wallet: try row.get(7),
                skillPoints: try row.get(8),
                lastUpdate: try row.get(9),
                failingSections: try row.get(10),
                tokenState: try row.get(11),
                tokenError: try row.get(12),
                enabled: try row.get(13),
                shared: try row.get(14),
                isMain: try row.get(15),
                minedThisMonth: try row.get(16),
                rattedThisMonth: try row.get(17)
            )
        }
        let unregistered = try Registry.unregisteredCharacters(ofUser: viewer.userID, on: connection)
        return LauncherData(
            characters: cards,
            unregistered: unregistered,
            totalWallet: cards.compactMap(\.wallet).reduce(0, +),
            totalSkillPoints: cards.compactMap(\.skillPoints).reduce(0, +),
            mayShare: viewer.has(.shareCharacters),
            groupChanges: try ComplianceGroups.changes(
                userID: viewer.userID,
                since: Date().addingTimeInterval(-30 * 86_400),
                limit: 5,
                on: connection
            )
        )
    }
}
