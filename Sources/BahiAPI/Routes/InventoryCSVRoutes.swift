import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// CSV import and export of stock levels and SKUs (the rules of each file are on
/// `StockImport` and `SKUImport`; the dialect on `CSV`).
///
/// - `POST /v1/inventory/import?mode=set|delta&all_or_nothing=true|false` (admin, warehouse)
/// - `GET  /v1/inventory/export?location=` (any role)
/// - `POST /v1/skus/import?all_or_nothing=true|false` (admin)
/// - `GET  /v1/skus/export` (any role)
///
/// The SKU routes live here, beside the catalog's `/v1/skus/:sku`, because they share the
/// CSV machinery; the router prefers a static segment, so `export` and `import` are not
/// taken for SKU codes on these paths.
///
/// An import answers 200 with per-row results whatever the rows did (a refused row is data
/// about the file, not a failed request); only a file that cannot be read at all — not CSV,
/// a bad header, the wrong mode — is a 422. Best-effort imports commit in chunks of 2,000
/// rows before the response, so a retry with the same Idempotency-Key replays the answer
/// once it was sent; if the server stopped midway, the committed chunks stay and a retry
/// runs again — harmless for `set` (rows already counted answer `unchanged`), not for
/// `delta`, which should use `all_or_nothing=true` (one transaction, exactly once with the key).
/// That one transaction holds the writer for the whole file (about 1.5 s for 100,000 rows in
/// a release build), so other writes wait meanwhile; best effort never holds it for more than
/// one chunk.
enum InventoryCSVRoutes {
    /// The largest import accepted: about 500,000 stock rows.
    static let importBodyLimit = 16 << 20

    static func register(on api: inout API) {
        api.mutation(.post, "/v1/inventory/import", access: .roles([.admin, .warehouse]), bodyLimit: importBodyLimit, RouteDoc(
            "Import stock levels from CSV",
            description: "Columns sku, location, and on_hand (mode=set: the units on hand) or delta (mode=delta: a change); without mode, the header decides. Answers 200 with per-row results whatever the rows did.",
            query: [QueryParameter("mode", .string(enum: ["set", "delta"]), "set or delta (default: from the header)."),
                    QueryParameter("all_or_nothing", .boolean, "One transaction: any bad row refuses the file.")],
            request: .csv("sku,location,on_hand (or sku,location,delta) rows, UTF-8."),
            responses: [.ok(.ref(Components.importReport))], errors: [.domain(.modeMismatch)]
        ).tagged("inventory")) { ctx in
            try requireCSV(ctx.request)
            var errors: [FieldError] = []
            var mode: StockImport.Mode?
            if let text = ctx.request.queryItem("mode") {
                mode = StockImport.Mode(rawValue: text)
                if mode == nil { errors.append(FieldError(field: "mode", code: "invalid", message: "set (the file gives on_hand) or delta (the file gives a change).")) }
            }
            let allOrNothing = flag(ctx.request, "all_or_nothing", &errors)
            try InventoryReads.check(errors)
            let job = try StockImport(csv: ctx.request.body, mode: mode)
            return try await prepare(job, mode: job.mode.rawValue, allOrNothing: allOrNothing, eventType: "inventory.imported", ctx)
        }

        api.route(.get, "/v1/inventory/export", access: .anyRole, RouteDoc(
            "Export stock levels as CSV",
            query: [QueryParameter("location", .string(maxLength: 64), "Only this location.")],
            responses: [ResponseDoc(200, "The levels", .csv, headers: [("Content-Disposition", "attachment; filename=…")])],
            errors: [.notFound]
        ).tagged("inventory")) { ctx in
            let location = ctx.request.queryItem("location")
            let csv = try await ctx.app.store.read { db -> [UInt8] in
                if let location, try !LocationCatalog.exists(db, code: location) {
                    throw DomainError.notFound("location", location)
                }
                return try StockImport.export(db, location: location)
            }
            return csvResponse(csv, filename: location.map { "inventory-\($0).csv" } ?? "inventory.csv")
        }

        api.mutation(.post, "/v1/skus/import", access: .roles([.admin]), bodyLimit: importBodyLimit, RouteDoc(
            "Import SKUs from CSV (create or update)",
            query: [QueryParameter("all_or_nothing", .boolean, "One transaction: any bad row refuses the file.")],
            request: .csv("One SKU per row, the columns of GET /v1/skus/export."),
            responses: [.ok(.ref(Components.importReport))]
        ).tagged("catalog")) { ctx in
            try requireCSV(ctx.request)
            var errors: [FieldError] = []
            let allOrNothing = flag(ctx.request, "all_or_nothing", &errors)
            if ctx.request.queryItem("mode") != nil {
                errors.append(FieldError(field: "mode", code: "not_allowed", message: "A SKU import always creates or updates; it has no mode."))
            }
            try InventoryReads.check(errors)
            let job = try SKUImport(csv: ctx.request.body)
            return try await prepare(job, mode: nil, allOrNothing: allOrNothing, eventType: "sku.imported", ctx)
        }

        api.route(.get, "/v1/skus/export", access: .anyRole, RouteDoc(
            "Export SKUs as CSV",
            responses: [ResponseDoc(200, "The SKUs", .csv, headers: [("Content-Disposition", "attachment; filename=…")])]
        ).tagged("catalog")) { ctx in
            let csv = try await ctx.app.store.read { db in try SKUImport.export(db) }
            return csvResponse(csv, filename: "skus.csv")
        }
    }

    /// Checks (one read), applies best-effort chunks, and returns the effect that finishes
    /// the import — the all-or-nothing write, the `*.imported` event — in the same
    /// transaction as the Idempotency-Key record.
    static func prepare<Job: CSVImportJob>(
        _ job: Job, mode: String?, allOrNothing: Bool, eventType: String, _ ctx: RequestContext
    ) async throws -> Effect {
        let app = ctx.app
        let pending = try await CSVImports.prepare(
            job, mode: mode, allOrNothing: allOrNothing,
            read: { body in try await app.store.read(body) },
            write: { body in try await app.write(body) },
            context: ImportContext(actor: ctx.actor))
        return { db in
            let report = try pending.finish(db, eventType: eventType, source: "api")
            return .json(report.json())
        }
    }

    /// 415 unless the body is `text/csv` (UTF-8, the only charset accepted).
    static func requireCSV(_ request: HTTPRequest) throws(HTTPError) {
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }.map { $0.dropFirst(8).trimmingCharacters(in: "\"") }
        guard parts.first == "text/csv", charset == nil || charset == "utf-8" || charset == "utf8" else {
            throw HTTPError(.unsupportedMediaType, code: "unsupported_media_type",
                            detail: "Send the file as Content-Type: text/csv (UTF-8)\(contentType.isEmpty ? "" : "; got \(contentType)").")
        }
    }

    /// A `true`/`false` query flag, false when absent.
    static func flag(_ request: HTTPRequest, _ name: String, _ errors: inout [FieldError]) -> Bool {
        switch request.queryItem(name)?.lowercased() {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default:
            errors.append(FieldError(field: name, code: "invalid", message: "true or false."))
            return false
        }
    }

    /// A CSV download. Built in memory: the server has no streaming body yet, and 100,000
    /// levels are about 4 MB, so the whole export is one response.
    static func csvResponse(_ csv: [UInt8], filename: String) -> HTTPResponse {
        var response = HTTPResponse(status: .ok, contentType: "text/csv; charset=utf-8", body: csv)
        response.headers.add(name: "Content-Disposition", value: "attachment; filename=\"\(filename)\"")
        return response
    }
}
