import Foundation
import Testing
import BahiCore

/// The event catalogue is well formed and `docs/EVENTS.md` is its current rendering.
///
/// To regenerate the page after changing a definition: `scripts/events-md.sh` (it runs this
/// suite with `BAHI_WRITE_EVENTS_MD=1`, which writes the file instead of comparing).
@Suite struct EventCatalogueTests {
    static var eventsPage: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/EVENTS.md")
    }

    @Test func everyTypeIsDeclaredOnceWithAVersion() {
        var seen = Set<String>()
        for definition in EventCatalogue.all {
            #expect(seen.insert(definition.type).inserted, "\(definition.type) is declared twice")
            #expect(definition.version >= 1, "\(definition.type) has version \(definition.version)")
            #expect(!definition.entityType.isEmpty, "\(definition.type) names no entity type")
            #expect(definition.type.contains("."), "\(definition.type) is not <area>.<what happened>")
            var fields = Set<String>()
            for field in definition.payload {
                #expect(fields.insert(field.name).inserted, "\(definition.type) declares \(field.name) twice")
            }
            #expect(EventCatalogue.definition(of: definition.type) == definition)
        }
    }

    @Test func eventsPageIsTheCatalogue() throws {
        let expected = EventCatalogue.markdown
        if ProcessInfo.processInfo.environment["BAHI_WRITE_EVENTS_MD"] != nil {
            try expected.write(to: Self.eventsPage, atomically: true, encoding: .utf8)
            return
        }
        let page = try String(contentsOf: Self.eventsPage, encoding: .utf8)
        #expect(page == expected, "docs/EVENTS.md is out of date: run scripts/events-md.sh")
    }
}
