import Foundation
import Hummingbird
import Postgres
import Projections
import Vocabulary

/// A contract's detail view: its terms, the items offered and the items asked for (separately,
/// with prices and totals), the bids with the current one, the acceptor and the time left.
extension WebApp {
    func contractPage(id: Int64, contract: Int64, caller: Caller) async throws -> Response {
        try await self.itemPage(id: id, tab: "contracts", caller: caller) { connection in
            try ContractDetail.load(character: id, contract: contract, on: connection)
        } render: { name, detail in
            ("\(name): contract \(contract)", self.contractHTML(detail, characterID: id))
        }
    }

    func contractHTML(_ contract: ContractDetail, characterID: Int64) -> HTML {
        var terms: [(String, HTML)] = [
            ("Kind", "\(Columns.sentence(contract.type ?? "unknown"))"),
            ("Status", "\(Columns.sentence(contract.status ?? "unknown"))"),
        ]
        if let title = contract.title, !title.isEmpty { terms.append(("Description", "\(title)")) }
        if let availability = contract.availability {
            terms.append(("Availability", "\(Columns.sentence(availability))"))
        }
        terms.append(("Issued by", "\(contract.issuer ?? "unknown")"))
        if let assignee = contract.assignee { terms.append(("Assigned to", "\(assignee)")) }
        if let acceptor = contract.acceptor { terms.append(("Accepted by", "\(acceptor)")) }
        terms.append(("Issued", Format.moment(contract.issued)))
        if contract.status == "outstanding" || contract.status == "in_progress", let expires = contract.expires {
            let left = expires.timeIntervalSinceNow
            terms.append(
                ("Time left", left > 0 ? "\(formatDuration(left, largestUnits: 2))" : Format.badge("expired", "stale"))
            )
        } else {
            terms.append(("Expires", Format.moment(contract.expires)))
        }
        if let accepted = contract.accepted { terms.append(("Accepted", Format.moment(accepted))) }
        if let completed = contract.completed { terms.append(("Completed", Format.moment(completed))) }
        if let days = contract.daysToComplete, days > 0 { terms.append(("Days to complete", "\(days)")) }
        if let start = contract.startLocation { terms.append(("Location", "\(start)")) }
        if let end = contract.endLocation, end != contract.startLocation { terms.append(("Destination", "\(end)")) }
        for (label, amount) in [
            ("Price", contract.price), ("Reward", contract.reward), ("Collateral", contract.collateral),
            ("Buyout", contract.buyout),
        ] {
            if let amount, amount != 0 { terms.append((label, "\(Format.isk(amount))")) }
        }
        if let volume = contract.volume, volume > 0 { terms.append(("Volume", "\(formatNumber(volume)) m³")) }
        var html: HTML = "<p><a href=\"/characters/\(characterID)/contracts\">← All contracts</a></p>"
        html += "<dl class=\"fields panel\">\(terms.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" as HTML })</dl>"
        html += self.contractItemsHTML("Items offered", contract.offered)
        html += self.contractItemsHTML("Items asked for", contract.asked)
        if contract.type == "auction" {
            html += "<h2>Bids</h2>"
            if let current = contract.bids.first {
                html += "<p>Current bid: <strong>\(Format.isk(current.amount))</strong> by \(current.bidder)</p>"
                let rows = contract.bids.map { bid -> HTML in
                    "<tr><td>\(bid.bidder)</td><td class=\"num\">\(Format.isk(bid.amount))</td><td>\(Format.moment(bid.date, exact: true))</td></tr>"
                }
                html +=
                    "<table><thead><tr><th>Bidder</th><th>Amount</th><th>When</th></tr></thead><tbody>\(rows)</tbody></table>"
            } else {
                html += "<p class=\"muted\">No bids yet.</p>"
            }
        }
        return html
    }

    private func contractItemsHTML(_ title: String, _ items: [ContractDetail.Item]) -> HTML {
        guard !items.isEmpty else { return "" }
        let rows = items.map { item -> HTML in
            """
            <tr><td>\(self.images.type(item.typeID, size: 32, alt: item.typeName)) \(item.typeName)</td>\
            <td class="num">\(Format.int(item.quantity))</td>\
            <td class="num">\(item.unitPrice.map(Format.isk) ?? "–")</td><td class="num">\(item.value.map(Format.isk) ?? "–")</td></tr>
            """
        }
        let total = items.compactMap(\.value).reduce(0, +)
        return """
            <h2>\(title)</h2>
            <div class="scroll"><table><thead><tr><th>Item</th><th>Quantity</th><th>Unit price</th><th>Value</th></tr></thead>
            <tbody>\(rows)</tbody>
            <tfoot><tr><th colspan="3">Total at market prices</th><td class="num"><strong>\(Format.isk(total))</strong></td></tr></tfoot>
            </table></div>
            """
    }
}
