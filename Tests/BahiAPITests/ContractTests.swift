import Foundation
import Testing
@testable import BahiAPI
@testable import BahiCore
import BahiHTTP
import BahiJSON

/// The API contract: the committed OpenAPI document is the generated one, it names exactly
/// the routes the router serves, its examples keep their shapes, and the hot paths' byte
/// writers render what the declarations describe.
@Suite struct ContractTests {
    /// The repository's top folder (this file is Tests/BahiAPITests/ContractTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theCommittedDocumentIsTheGeneratedOne() async throws {
        let generated = try await BahiApplication.openAPIDocument()
        let committed = FileManager.default.contents(atPath: Self.root + "/openapi.json").map { [UInt8]($0) } ?? []
        guard committed != generated else { return }
        let ours = String(decoding: generated, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let theirs = String(decoding: committed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
        Issue.record("""
            openapi.json differs from the route declarations (first at line \(line + 1): \
            committed \(line < theirs.count ? String(theirs[line]) : "<end>"), generated \(line < ours.count ? String(ours[line]) : "<end>")). \
            Regenerate it with `swift run bahi openapi > openapi.json` and commit it.
            """)
    }

    @Test func theServedDocumentIsTheGeneratedOneAndNeedsNoKey() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            let response = await send(api, .get, "/v1/openapi.json")
            #expect(response.status == .ok)
            #expect(response.body == api.openAPIDocument.prettyEncoded())
        }
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            let routed = Set(api.router.registered.map { "\($0.method.rawValue) \($0.pattern)" })
            guard case .object(let paths)? = OpenAPIDocument.make(api.operations).object?["paths"] else {
                Issue.record("no paths")
                return
            }
            var documented = Set<String>()
            for (path, item) in paths {
                let pattern = "/" + path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : String($0) }.joined(separator: "/")
                for (method, _) in item.object ?? JSONObject() { documented.insert("\(method.uppercased()) \(pattern)") }
            }
            #expect(routed.subtracting(documented).isEmpty, "registered but not documented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not registered: \(documented.subtracting(routed).sorted())")
            #expect(routed.count == api.operations.count)
        }
    }

    @Test func everyLinkLeadsToARouteWithThoseParameters() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            var links = 0
            for op in api.operations {
                for link in op.doc.responses.flatMap(\.links) {
                    links += 1
                    let target = api.operations.first { $0.method == link.method && $0.path == link.path }
                    #expect(target != nil, "\(op.method) \(op.path) links to \(link.method) \(link.path), which is not a route")
                    #expect(Set(link.parameters.map(\.name)) == Set(target?.pathParameters ?? []), "\(link.name): \(link.parameters.map(\.name))")
                }
            }
            #expect(links >= 10)
        }
    }

    @Test func everyExampleHasItsDeclaredShape() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            var examples = 0
            for op in api.operations {
                if case .json(let schema, _, let example?)? = op.doc.request {
                    examples += 1
                    #expect(schema.problems(example).isEmpty, "\(op.method) \(op.path) request example: \(schema.problems(example))")
                }
                for r in op.doc.responses {
                    if let example = r.example, let schema = r.schema {
                        examples += 1
                        #expect(schema.problems(example).isEmpty, "\(op.method) \(op.path) \(r.status) example: \(schema.problems(example))")
                    }
                }
            }
            #expect(examples >= 6)
        }
    }

    @Test func aHoldsBytesAreTheGenericRenderingOfItsDeclaration() {
        let holds = [
            Holds.Hold(id: "res_01JD0000000000000000000000", channel: "web", reference: nil, status: .active,
                       expiresAt: 1_795_342_500_123, createdAt: 1_795_341_600_000,
                       allocations: [Holds.Allocation(line: 0, sku: "BENCH-1", stockSKU: "BENCH-1", location: "SURAT", qty: 1)]),
            Holds.Hold(id: "res_X", channel: "mkt \"quoted\"\n", reference: "cart \\ 42 ✓", status: .released, expiresAt: 0, createdAt: 2,
                       allocations: [Holds.Allocation(line: 0, sku: "KIT-1", stockSKU: "C", location: "A", qty: 2),
                                     Holds.Allocation(line: 1, sku: "B\u{1}", stockSKU: "B\u{1}", location: "Ω-2", qty: 100_000)]),
            Holds.Hold(id: "res_Y", channel: "web", reference: "", status: .expired, expiresAt: 1, createdAt: 253_402_300_799_999, allocations: []),
        ]
        let schema = Schema.ref(Components.hold)
        for hold in holds {
            #expect(hold.encodedJSON == hold.json.encoded())
            #expect(hold.encodedJSON == schema.rendered(hold.json).encoded())
            #expect(schema.problems(hold.json).isEmpty)
        }
    }

    @Test func intakeRendersAnOrderInItsDeclaredOrder() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            let response = await w.place(orderJSON("CONTRACT-1"))
            #expect(response.status == .created)
            let body = try JSONParser.parse(response.body)
            let schema = Schema.ref(Components.orderWithHistory)
            #expect(schema.rendered(body).encoded() == response.body)
            #expect(schema.problems(body).isEmpty)
        }
    }

    @Test func aRequestBodyIsCheckedAgainstItsDeclarationWithEveryProblemNamed() async throws {
        try await withOrders { w in
            let r = await send(w.api, .post, "/v1/inventory/reservations", key: w.admin,
                               body: #"{"channel":"web","lines":[{"sku":"TEE","qty":0,"colour":"red"}],"ttl_second":5}"#)
            #expect(r.status.code == 422)
            let fields = r.errorCodes
            #expect(fields["lines[0].qty"] == "out_of_range")
            #expect(fields["lines[0].colour"] == "unknown_field")
            #expect(fields["ttl_second"] == "unknown_field")
            #expect(r.text.contains("did you mean ttl_seconds?"))
        }
    }
}

extension JSONValue {
    var object: JSONObject? { if case .object(let o) = self { o } else { nil } }
}
