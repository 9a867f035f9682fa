import Access
import Foundation
import Hummingbird
import Postgres
import Projections
import SkillSets
import Vocabulary

/// The character's skill-set tab (every visible set with its groups, doctrine flag, ship and
/// verdict) and the detail view of one set: each skill's required, recommended and current level,
/// the training time, and the missing skills as lines to paste into EVE's skill plan.
extension WebApp {
    func skillSetTab(id: Int64) async throws -> HTML {
        let verdicts = try await self.pool.withConnection { try SkillSetChecks.verdicts(of: id, on: $0) }
        guard !verdicts.isEmpty else { return "<p class=\"muted\">No skill sets yet.</p>" }
        let rows = verdicts.map { verdict -> HTML in
            let ship: HTML =
                verdict.shipTypeID.map { type in
                    let name = verdict.shipName ?? String(type)
                    return "\(self.images.type(type, size: 32, alt: name)) \(name)"
                } ?? ""
            let doctrine: HTML = verdict.isDoctrine ? " " + Format.badge("doctrine", "info") : ""
            return """
                <tr><td><a href="/characters/\(id)/skill_sets/\(verdict.skillSetID)">\(verdict.skillSet)</a></td>\
                <td>\(verdict.groups.joined(separator: ", "))\(doctrine)</td><td>\(ship)</td>\
                <td>\(Self.verdictBadge(verdict.status, needsOmega: verdict.needsOmega))</td>\
                <td>\(verdict.failedSkills ?? "")</td>\
                <td class="num">\(verdict.requiredSeconds.map(Self.duration) ?? "")</td>\
                <td class="num">\(verdict.fullSeconds.map(Self.duration) ?? "")</td></tr>
                """
        }
        return """
            <div class="scroll"><table><thead><tr><th>Skill set</th><th>Groups</th><th>Ship</th><th>Can fly</th>\
            <th>Missing skills</th><th>Training to required</th><th>To all levels</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// `full`: every level met; `partial`: the required ones; `none`: cannot fly it.
    static func verdictBadge(_ status: String, needsOmega: Bool) -> HTML {
        let badge =
            switch status {
            case "full": Format.badge("can fly, every level", "ok")
            case "partial": Format.badge("can fly", "ok")
            default: Format.badge("cannot fly", "failing")
            }
        return needsOmega ? badge + " " + Format.badge("needs Omega", "omega") : badge
    }

    static func duration(_ seconds: Double) -> String { seconds > 0 ? formatDuration(seconds, largestUnits: 2) : "–" }

    func skillSetDetailPage(id: Int64, skillSet: Int64, caller: Caller) async throws -> Response {
        try await self.itemPage(id: id, tab: "skill_sets", caller: caller) { connection in
            guard caller.viewer.has(.viewSkillSets) else {
                throw HTTPError.forbidden("The skill-set tab needs the view_skill_sets permission.")
            }
            return try SkillSetDetail.load(character: id, skillSet: skillSet, on: connection)
        } render: { name, detail in
            ("\(name): \(detail.name)", self.skillSetDetailHTML(detail, characterID: id))
        }
    }

    func skillSetDetailHTML(_ detail: SkillSetDetail, characterID: Int64) -> HTML {
        func level(_ value: Int?) -> String { value.map(SkillLevel.roman) ?? "–" }
        let rows = detail.skills.map { skill -> HTML in
            let state: HTML =
                skill.failsRequired
                ? Format.badge("below required", "failing")
                : skill.failsRecommended ? Format.badge("below recommended", "stale") : Format.badge("ok", "ok")
            let alpha: HTML =
                skill.trained > skill.active
                ? " " + Format.badge("trained \(SkillLevel.roman(skill.trained))", "omega") : ""
            return """
                <tr><td>\(skill.name)</td><td class="num">\(level(skill.required))</td>\
                <td class="num">\(level(skill.recommended))</td><td class="num">\(level(skill.active))\(alpha)</td>\
                <td>\(state)</td><td class="num">\(skill.secondsToFull.map(Self.duration) ?? "unknown")</td></tr>
                """
        }
        let ship: HTML =
            detail.shipTypeID.map { type in
                let name = detail.shipName ?? String(type)
                return "<p>\(self.images.type(type, size: 64, alt: name, render: true)) \(name)</p>"
            } ?? ""
        let plan = detail.skillPlan
        let planHTML: HTML =
            plan.isEmpty
            ? "<p>\(Format.badge("nothing missing", "ok"))</p>"
            : """
            <h2>Missing skills as a skill plan</h2>
            <p class="muted">Copy these lines into EVE's skill plan (Skills → Skill plans → Import from clipboard).</p>
            <textarea class="plan" rows="\(min(plan.count, 20))" cols="48" readonly>\(plan.joined(separator: "\n"))</textarea>
            """
        let groups: HTML =
            detail.groups.isEmpty ? "" : " <span class=\"muted\">in</span> \(detail.groups.joined(separator: ", "))"
        let description: HTML = detail.description.isEmpty ? "" : "<p>\(detail.description)</p>"
        let totalRequired = detail.skills.compactMap(\.secondsToRequired).reduce(0, +)
        let totalFull = detail.skills.compactMap(\.secondsToFull).reduce(0, +)
        return """
            <p><a href="/characters/\(characterID)/skill_sets">← All skill sets</a></p>
            \(ship)
            <p>\(Self.verdictBadge(detail.status, needsOmega: detail.needsOmega))\(groups)</p>
            \(description)
            <p>Training to the required levels: <strong>\(Self.duration(totalRequired))</strong>, \
            to every level: <strong>\(Self.duration(totalFull))</strong></p>
            <div class="scroll"><table><thead><tr><th>Skill</th><th>Required</th><th>Recommended</th><th>Current</th>\
            <th>State</th><th>Training</th></tr></thead><tbody>\(rows)</tbody></table></div>
            \(planHTML)
            """
    }
}
