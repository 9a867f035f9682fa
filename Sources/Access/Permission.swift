import Vocabulary

/// The permissions of the original (`memberaudit | general`), granted through groups.
/// Superusers hold every one of them.
public enum Permission: String, CaseIterable, Sendable, Codable, Comparable {
    /// The app at all: the launcher and the viewer of one's own characters.
    case basicAccess = "basic_access"
    /// The character finder.
    case finderAccess = "finder_access"
    /// The reports.
    case reportsAccess = "reports_access"
    /// Viewing other users' characters, within the scope of the three `view_*` permissions below.
    case charactersAccess = "characters_access"
    /// Characters their owners share (for recruiters), when the owner holds `share_characters`.
    case viewSharedCharacters = "view_shared_characters"
    /// Characters whose owner's main is in the viewer's main's corporation.
    case viewSameCorporation = "view_same_corporation"
    /// Characters whose owner's main is in the viewer's main's alliance.
    case viewSameAlliance = "view_same_alliance"
    /// Every character.
    case viewEverything = "view_everything"
    /// Sharing one's own characters with recruiters.
    case shareCharacters = "share_characters"
    /// Exporting data.
    case exportsAccess = "exports_access"
    /// The skill-set tab of the viewer.
    case viewSkillSets = "view_skill_sets"
    /// Being told, in the inbox, when a character one may see is removed.
    case notifiedOnCharacterRemoval = "notified_on_character_removal"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the permission allows, for `groups permissions` and the admin page.
    public var summary: String {
        switch self {
        case .basicAccess: "the app: launcher and viewer of one's own characters"
        case .finderAccess: "the character finder"
        case .reportsAccess: "the reports"
        case .charactersAccess: "other users' characters, within the view_* scopes"
        case .viewSharedCharacters: "characters shared by owners who may share"
        case .viewSameCorporation: "characters of users whose main is in the viewer's main's corporation"
        case .viewSameAlliance: "characters of users whose main is in the viewer's main's alliance"
        case .viewEverything: "every character"
        case .shareCharacters: "sharing one's own characters with recruiters"
        case .exportsAccess: "data exports"
        case .viewSkillSets: "the skill-set tab of the viewer"
        case .notifiedOnCharacterRemoval: "a notification when a character one may see is removed"
        }
    }

    /// A permission from its name, with a clear error listing the names there are.
    public static func parse(_ text: String) throws(AccessError) -> Permission {
        guard let permission = Permission(rawValue: text.lowercased()) else {
            throw AccessError(
                .unknownPermission,
                "unknown permission '\(text)'; the permissions are: \(Self.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return permission
    }
}

/// A refused or impossible access operation: its code and a message in words.
public typealias AccessError = ModuleError<AccessErrorCodes>

/// The codes of ``AccessError``.
public enum AccessErrorCodes {}

/// Most are a bad name or value given by an administrator or a form (400, exit 2).
extension ErrorCode where Owner == AccessErrorCodes {
    public static let unknownPermission = Self("unknown_permission", .invalidInput)
    public static let emptyName = Self("empty_name", .invalidInput)
    public static let groupExists = Self("group_exists", .invalidInput)
    public static let unknownGroup = Self("unknown_group", .invalidInput)
    /// A compliance group's members follow from compliance; they are not changed by hand.
    public static let complianceGroup = Self("compliance_group", .invalidInput)
    public static let unknownUser = Self("unknown_user", .invalidInput)
    /// Sharing without the share_characters permission.
    public static let sharingNotAllowed = Self("sharing_not_allowed", .invalidInput)
    /// Only a character's owner may share, unshare or remove it.
    public static let notOwner = Self("not_owner", .invalidInput)
    /// A character that could not be registered (its token refused).
    public static let notRegistered = Self("not_registered", .invalidInput)
}
