import Access
import Application
import Audit
import Foundation
import Postgres
import Projections
import SkillSets

/// The JSON API under `/api/`: the data of every page, behind the same checks (401 without a
/// session, 403 without the permission, 404 for a character the caller may not know of).
/// State-changing calls are POSTs carrying the session's CSRF token in `X-CSRF-Token`
/// (`GET /api/me` gives it). Documented in docs/openapi-web.yaml.
extension WebApp {
    struct Me: Encodable {
        var user: String
        var isSuperuser: Bool
        var permissions: [String]
        var csrfToken: String
    }

    /// The state with EVE markup (a bio, a mail body) sanitised, as the pages show it: an API
    /// client that puts it in a page is as safe as the pages.
    static func sanitizingMarkup(_ state: CharacterState) -> CharacterState {
        var state = state
        for s in state.sections.indices {
            let section = state.sections[s].name
            for p in state.sections[s].parts.indices {
                let part = state.sections[s].parts[p]
                for (c, column) in part.columns.enumerated() where Self.markupColumns.contains("\(section).\(column)") {
                    for r in part.rows.indices {
                        if case .text(let text) = part.rows[r][c] {
                            state.sections[s].parts[p].rows[r][c] = .text(Sanitizer.sanitize(text).text)
                        }
                    }
                }
            }
        }
        return state
    }
}

/// Any encodable value, for JSON objects of mixed values.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try self.value.encode(to: encoder) }
}
