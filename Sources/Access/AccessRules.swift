/// Who is looking: a user, what they may do, and where their main is.
public struct Viewer: Sendable, Equatable {
    public var userID: Int64
    public var name: String
    public var isSuperuser: Bool
    /// The permissions of the user's groups (a superuser's are all of them).
    public var permissions: Set<Permission>
    public var mainCharacterID: Int64?
    public var mainCorporationID: Int64?
    public var mainAllianceID: Int64?

    public init(
        userID: Int64,
        name: String,
        isSuperuser: Bool = false,
        permissions: Set<Permission> = [],
        mainCharacterID: Int64? = nil,
        mainCorporationID: Int64? = nil,
        mainAllianceID: Int64? = nil
    ) {
        self.userID = userID
        self.name = name
        self.isSuperuser = isSuperuser
        self.permissions = isSuperuser ? Set(Permission.allCases) : permissions
        self.mainCharacterID = mainCharacterID
        self.mainCorporationID = mainCorporationID
        self.mainAllianceID = mainAllianceID
    }

    public func has(_ permission: Permission) -> Bool { self.isSuperuser || self.permissions.contains(permission) }
}

/// What the rules need to know of a character: its owner, where the owner's main is, and whether
/// it is shared by an owner who may share.
public struct CharacterFacts: Sendable, Equatable {
    public var characterID: Int64
    public var ownerID: Int64?
    public var ownerMainCorporationID: Int64?
    public var ownerMainAllianceID: Int64?
    public var isShared: Bool
    public var ownerMayShare: Bool

    public init(
        characterID: Int64,
        ownerID: Int64?,
        ownerMainCorporationID: Int64? = nil,
        ownerMainAllianceID: Int64? = nil,
        isShared: Bool = false,
        ownerMayShare: Bool = false
    ) {
        self.characterID = characterID
        self.ownerID = ownerID
        self.ownerMainCorporationID = ownerMainCorporationID
        self.ownerMainAllianceID = ownerMainAllianceID
        self.isShared = isShared
        self.ownerMayShare = ownerMayShare
    }
}

/// The original's access rules (5.3.0, `user_has_access`), as pure functions. `AccessStore`
/// applies the same rules in SQL for lists; a test holds the two equal on every combination.
public enum AccessRules {
    /// The scope of other users' characters a viewer's permissions give, before sharing.
    public enum Scope: Sendable, Equatable {
        case none
        case corporation(Int64)
        case alliance(Int64)
        case everything
    }

    /// The original's `elif`: everything, else the alliance (when the main has one), else the
    /// corporation; all of them need `characters_access`.
    public static func scope(of viewer: Viewer) -> Scope {
        guard viewer.has(.charactersAccess) else { return .none }
        if viewer.has(.viewEverything) { return .everything }
        if viewer.has(.viewSameAlliance), let alliance = viewer.mainAllianceID { return .alliance(alliance) }
        if viewer.has(.viewSameCorporation), let corporation = viewer.mainCorporationID {
            return .corporation(corporation)
        }
        return .none
    }

    /// Whether the viewer may open the character at all (its viewer page and data).
    public static func canView(_ viewer: Viewer, _ character: CharacterFacts) -> Bool {
        if character.ownerID == viewer.userID { return viewer.has(.basicAccess) }
        guard viewer.has(.basicAccess) else { return false }
        switch self.scope(of: viewer) {
        case .everything: return true
        case .alliance(let alliance) where character.ownerMainAllianceID == alliance: return true
        case .corporation(let corporation) where character.ownerMainCorporationID == corporation: return true
        default: break
        }
        return viewer.has(.viewSharedCharacters) && character.isShared && character.ownerMayShare
    }

    /// The users whose compliance the viewer's reports cover (`accessible_users`): everyone,
    /// the main's alliance or corporation, or only the viewer. Same `elif` as the viewer scope, but
    /// without `characters_access`.
    public static func reportScope(of viewer: Viewer) -> Scope {
        if viewer.has(.viewEverything) { return .everything }
        if viewer.has(.viewSameAlliance), let alliance = viewer.mainAllianceID { return .alliance(alliance) }
        if viewer.has(.viewSameCorporation), let corporation = viewer.mainCorporationID {
            return .corporation(corporation)
        }
        return .none
    }
}

extension AccessRules {
    /// Whether the viewer may know the character exists (it is in their reports' scope), so that a
    /// refusal says 403 rather than 404.
    public static func mayKnowOf(_ viewer: Viewer, _ character: CharacterFacts) -> Bool {
        guard viewer.has(.basicAccess) else { return false }
        switch self.reportScope(of: viewer) {
        case .everything: return true
        case .alliance(let alliance): return character.ownerMainAllianceID == alliance
        case .corporation(let corporation): return character.ownerMainCorporationID == corporation
        case .none: return false
        }
    }
}
