import Projections
import Testing
import Vocabulary

/// Event section names are constants of one type: every route the sync records under, and every
/// section a projector reads, is one of `EventSection.all`, each spelled once.
@Suite struct EventSectionTests {
    @Test func everyRouteAndProjectorUsesTheConstants() {
        let known = Set(EventSection.all)
        #expect(known.count == EventSection.all.count, "a name is listed twice")
        var routes = Section.allCases.flatMap(\.routes)
        routes += [
            Routes.assetNames, Routes.contractItems, Routes.contractBids, Routes.mailBody, Routes.corporationMembers,
            Routes.universeNames, Routes.station, Routes.structure, Routes.metaStatus, Routes.marketPrices,
            Routes.universeIDs,
        ]
        for route in routes { #expect(known.contains(route.section), "\(route.name) has no EventSection constant") }
        for section in Section.allCases { #expect(known.contains(EventSection(section))) }
        for projector in Catalog.projectors {
            for section in projector.sections.keys {
                #expect(known.contains(section), "\(projector.name) reads \(section), which is no constant")
            }
        }
    }
}
