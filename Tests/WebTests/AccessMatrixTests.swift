import Access
import Application
import Foundation
import Postgres
import SyncTestSupport
import Testing

@testable import Web

/// Every page and API endpoint for each of the original's example roles: allowed requests
/// succeed, forbidden ones get 403, characters the role may not know of 404.
@Suite struct AccessMatrixTests {
    /// Roles as the original's documentation sets them up, each a group.
    static let roles: [(user: String, permissions: [Permission])] = [
        ("member", [.basicAccess]),
        ("recruiter", [.basicAccess, .finderAccess, .viewSharedCharacters]),
        ("leadership", [.basicAccess, .finderAccess, .reportsAccess, .charactersAccess, .viewSameCorporation]),
        (
            "leadrecruiter",
            [
                .basicAccess, .finderAccess, .reportsAccess, .charactersAccess, .viewSameCorporation,
                .viewSharedCharacters,
            ]
        ),
        ("auditor", [.basicAccess, .finderAccess, .reportsAccess, .charactersAccess, .viewSameAlliance]),
        ("sharer", [.basicAccess, .shareCharacters]),
        ("admin", []),
        // The corporation scope without characters_access: knows of its corporation's characters
        // (the finder of the original lists them) but may open none of them: 403, not 404.
        ("corpviewer", [.basicAccess, .viewSameCorporation]),
    ]

    /// A user per role, each in a group of its own with the role's permissions; admin a superuser.
    static func addRoleUsers(on connection: PostgresConnection) throws {
        for role in Self.roles {
            try connection.execute("INSERT INTO sync.users (name) VALUES ($1)", [role.user])
            try AccessAdmin.createGroup(role.user + "s", on: connection)
            if !role.permissions.isEmpty {
                try AccessAdmin.grant(role.permissions, to: role.user + "s", on: connection)
            }
            try AccessAdmin.addMember(role.user, to: role.user + "s", on: connection)
        }
        try AccessChanges.apply([.setSuperuser("admin", true)], on: connection)
    }

    @Test func eachRoleGetsExactlyWhatItMay() async throws {
        try await withWebHarness(characters: 9) { web in
            let ids = web.sync.characterIDs
            // Characters: member owns 0 (main) and 1 (shared, but member may not share); recruiter
            // 2; leadership 3; leadrecruiter 4; auditor 5; sharer 6 (shared, may share); admin 7.
            let corpA: Int64 = 98_100_001
            let corpB: Int64 = 98_100_002
            let corpR: Int64 = 98_100_003
            let corpZ: Int64 = 98_100_004
            let allianceX: Int64 = 99_100_001
            let allianceY: Int64 = 99_100_002
            let organisation: [(Int64, Int64?)] = [
                (corpA, allianceX), (corpA, allianceX), (corpR, nil), (corpA, allianceX), (corpA, allianceX),
                (corpB, allianceX), (corpZ, allianceY), (corpZ, allianceY), (corpA, allianceX),
            ]
            let owners = [
                "member", "member", "recruiter", "leadership", "leadrecruiter", "auditor", "sharer", "admin",
                "corpviewer",
            ]
            try await web.pool.transaction { connection in
                for (index, id) in ids.enumerated() {
                    try connection.execute(
                        "UPDATE readmodel.character_details SET corporation_id = $2, alliance_id = $3 WHERE character_id = $1",
                        [id, organisation[index].0, organisation[index].1]
                    )
                }
                try Self.addRoleUsers(on: connection)
                for (index, id) in ids.enumerated() {
                    try connection.execute(
                        "UPDATE sync.characters SET user_id = (SELECT id FROM sync.users WHERE name = $2) WHERE id = $1",
                        [id, owners[index]]
                    )
                    try connection.execute(
                        "UPDATE sync.ownerships SET user_id = (SELECT id FROM sync.users WHERE name = $2) WHERE character_id = $1",
                        [id, owners[index]]
                    )
                }
                try connection.execute(
                    """
                    UPDATE sync.users u SET main_character_id = (SELECT min(id) FROM sync.characters c WHERE c.user_id = u.id)
                    """
                )
                try connection.execute(
                    "INSERT INTO access.shared_characters (character_id) VALUES ($1), ($2)",
                    [ids[1], ids[6]]
                )
            }

            // Which characters each role may open; which it may know of without opening (403); the
            // rest: 404, as it may not know they exist.
            let viewable: [String: Set<Int>] = [
                "member": [0, 1],
                "recruiter": [2, 6],  // 1 is shared by an owner without share_characters
                "leadership": [0, 1, 3, 4, 8],
                "leadrecruiter": [0, 1, 3, 4, 6, 8],
                "auditor": [0, 1, 3, 4, 5, 8],
                "sharer": [6],
                "admin": Set(0..<9),
                "corpviewer": [8],
            ]
            let forbidden: [String: Set<Int>] = ["corpviewer": [0, 1, 3, 4]]
            func has(_ user: String, _ permission: Permission) -> Bool {
                user == "admin" || Self.roles.first { $0.user == user }!.permissions.contains(permission)
            }
            // A contract of each character, for the contract detail pages.
            let contracts: [Int64: Int64] = try await web.pool.withConnection { connection in
                Dictionary(
                    try connection.query(
                        "SELECT character_id, min(contract_id) FROM readmodel.contracts GROUP BY 1"
                    ).map { try $0.decode((Int64, Int64).self) },
                    uniquingKeysWith: { first, _ in first }
                )
            }
            var failures = [String]()
            for role in Self.roles {
                let (cookie, _) = try await web.session(for: role.user)
                func check(_ path: String, _ expected: Int) async throws {
                    let status = try await web.request(path, cookie: cookie).status
                    if status != expected {
                        failures.append("\(role.user) GET \(path): \(status), expected \(expected)")
                    }
                }
                try await check("/launcher", 200)
                try await check("/notifications", 200)
                try await check("/api/me", 200)
                try await check("/api/characters", 200)
                try await check("/finder", has(role.user, .finderAccess) ? 200 : 403)
                try await check("/api/finder", has(role.user, .finderAccess) ? 200 : 403)
                for report in ["", "/compliance", "/corporations", "/skillsets", "/tokens"] {
                    try await check("/reports\(report)", has(role.user, .reportsAccess) ? 200 : 403)
                }
                try await check("/api/reports/compliance", has(role.user, .reportsAccess) ? 200 : 403)
                try await check("/exports", has(role.user, .exportsAccess) ? 200 : 403)
                try await check("/exports/contracts.zip", has(role.user, .exportsAccess) ? 200 : 403)
                try await check("/admin", role.user == "admin" ? 200 : 403)
                try await check("/admin/characters", role.user == "admin" ? 200 : 403)
                try await check("/api/admin/users", role.user == "admin" ? 200 : 403)
                try await check("/skillsets", role.user == "admin" ? 200 : 403)
                try await check("/api/skillsets", role.user == "admin" ? 200 : 403)
                for (index, id) in ids.enumerated() {
                    let allowed = viewable[role.user]!.contains(index)
                    let refused = forbidden[role.user]?.contains(index) == true ? 403 : 404
                    for path in [
                        "/characters/\(id)", "/characters/\(id)/assets", "/characters/\(id)/mails",
                        "/characters/\(id)/history", "/api/characters/\(id)", "/api/characters/\(id)/wallet_journal",
                        "/api/characters/\(id)/series/wallet",
                    ] {
                        try await check(path, allowed ? 200 : refused)
                    }
                    try await check(
                        "/characters/\(id)/skill_sets",
                        allowed ? (role.user == "admin" ? 200 : 403) : refused
                    )
                    // A skill set's detail: there is no set, so 404 once the checks pass.
                    try await check(
                        "/characters/\(id)/skill_sets/1",
                        allowed ? (role.user == "admin" ? 404 : 403) : refused
                    )
                    if let contract = contracts[id] {
                        try await check("/characters/\(id)/contracts/\(contract)", allowed ? 200 : refused)
                    }
                }
                try await check("/characters/1", 404)
                try await check("/nowhere", 404)

                // The finder lists exactly what the role may know of, and links only what it may open.
                if has(role.user, .finderAccess) {
                    let rows =
                        try JSONSerialization.jsonObject(
                            with: Data(try await web.request("/api/finder", cookie: cookie).body)
                        ) as! [[String: Any]]
                    let openable = Set(
                        rows.filter { $0["canView"] as? Bool == true }.compactMap {
                            ($0["id"] as? NSNumber)?.int64Value
                        }
                    )
                    let expected = Set(viewable[role.user]!.map { ids[$0] })
                    if openable != expected {
                        failures.append(
                            "\(role.user) finder: \(openable.sorted()) openable, expected \(expected.sorted())"
                        )
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")

            // Sharing: only an owner with share_characters; a POST without the token is refused.
            let (memberCookie, memberCSRF) = try await web.session(for: "member")
            #expect(
                try await web.request(
                    "/characters/\(ids[0])/share",
                    method: "POST",
                    cookie: memberCookie,
                    form: ["csrf": memberCSRF]
                ).status == 400
            )
            let (sharerCookie, sharerCSRF) = try await web.session(for: "sharer")
            #expect(
                try await web.request("/characters/\(ids[6])/unshare", method: "POST", cookie: sharerCookie, form: [:])
                    .status == 403
            )
            #expect(
                try await web.request(
                    "/characters/\(ids[6])/unshare",
                    method: "POST",
                    cookie: sharerCookie,
                    form: ["csrf": sharerCSRF]
                ).status == 303
            )
            let (recruiterCookie, _) = try await web.session(for: "recruiter")
            #expect(try await web.request("/characters/\(ids[6])", cookie: recruiterCookie).status == 404)
            #expect(
                try await web.request(
                    "/api/characters/\(ids[6])/share",
                    method: "POST",
                    cookie: sharerCookie,
                    headers: ["X-CSRF-Token": sharerCSRF]
                ).status == 200
            )
            #expect(try await web.request("/characters/\(ids[6])", cookie: recruiterCookie).status == 200)
            // Someone else's character cannot be shared, removed or made main.
            #expect(
                try await web.request(
                    "/api/characters/\(ids[0])/remove",
                    method: "POST",
                    cookie: sharerCookie,
                    headers: ["X-CSRF-Token": sharerCSRF]
                ).status == 404
            )
        }
    }
}
