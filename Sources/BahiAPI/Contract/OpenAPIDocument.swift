public import BahiJSON
import BahiCore
public import BahiHTTP

/// The OpenAPI 3.1 description of the whole API, generated from the routes' declarations
/// (`API.operations`): served at `GET /v1/openapi.json`, committed as `/openapi.json` (a test
/// keeps them equal; `swift run bahi openapi > openapi.json` rewrites it), and what client
/// generators and schemathesis read.
public enum OpenAPIDocument {
    /// The document for `operations`, keys in a stable order so the committed file diffs well.
    public static func make(_ operations: [Operation]) -> JSONValue {
        var components: [String: Component] = [:]
        var problemResponses: [String: JSONValue] = [:]
        var paths = JSONObject()
        var tags: [String] = []
        for op in operations {
            if let tag = op.doc.tag, !tags.contains(tag) { tags.append(tag) }
            var item: JSONObject
            if case .object(let existing)? = paths[op.openAPIPath] { item = existing } else { item = JSONObject() }
            item[op.method.rawValue.lowercased()] = .object(operation(op, &components, &problemResponses))
            paths[op.openAPIPath] = .object(item)
        }
        var schemas = JSONObject()
        schemas["Problem"] = problemSchema
        var done = Set<String>()
        while let name = components.keys.filter({ !done.contains($0) }).min(), let component = components[name] {
            done.insert(name)
            schemas[name] = jsonSchema(component.schema, &components)
        }
        schemas = JSONObject(schemas.entries.sorted { $0.key < $1.key })

        var doc = JSONObject()
        doc["openapi"] = .string("3.1.0")
        doc["info"] = .object([
            "title": .string("Bahi"),
            "version": .string(BahiVersion.current),
            "description": .string("""
                Order management for Indian D2C sellers. Money is integer paise (`_paise`), rates basis points (`_bps`), \
                times RFC 3339 UTC. Errors are RFC 9457 problem documents with a stable `code` and per-field `errors`. \
                Lists take `limit` and an opaque `after` cursor and answer `{data, next_cursor}`. Writes that create or move \
                something honour `Idempotency-Key`; versioned resources honour `If-Match`. Generated from the route \
                declarations in Sources/BahiAPI.
                """),
            "license": .object(["name": .string("Proprietary")]),
        ])
        doc["security"] = .array([.object(["bearer": .array([])])])
        doc["tags"] = .array(tags.map { .object(["name": .string($0)]) })
        doc["paths"] = .object(paths)
        doc["components"] = .object([
            "securitySchemes": .object([
                "bearer": .object([
                    "type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("bahi_…"),
                    "description": .string("An API key (`Authorization: Bearer bahi_…`) with a role: admin, storefront (one channel), warehouse, finance or support."),
                ]),
            ]),
            "parameters": .object([
                "IdempotencyKey": .object([
                    "name": .string("Idempotency-Key"), "in": .string("header"), "required": .bool(false),
                    "description": .string("Makes a retry safe: the first successful answer is stored with the effect and replayed (with `Idempotent-Replayed: true`) for the same key and body; another body is 422 idempotency_conflict."),
                    "schema": .object(["type": .string("string"), "minLength": .int(1), "maxLength": .int(255), "pattern": .string("^[!-~]+$")]),
                ]),
                "IfMatch": .object([
                    "name": .string("If-Match"), "in": .string("header"), "required": .bool(false),
                    "description": .string("The ETag from a read (`\"3\"`), or `*`: the write happens only if the resource is still at that version (412 version_mismatch otherwise)."),
                    "schema": .object(["type": .string("string"), "pattern": .string("^(\\*|\"[0-9]{1,18}\")$")]),
                ]),
            ]),
            "responses": .object(JSONObject(problemResponses.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })),
            "schemas": .object(schemas),
        ])
        return .object(doc)
    }

    /// One operation object.
    static func operation(_ op: Operation, _ components: inout [String: Component], _ problemResponses: inout [String: JSONValue]) -> JSONObject {
        var o = JSONObject()
        if let tag = op.doc.tag { o["tags"] = .array([.string(tag)]) }
        o["summary"] = .string(op.doc.summary)
        var description = op.doc.description ?? ""
        if let roles = op.roles {
            let who = roles == Set(Role.allCases) ? "any key" : roles.sorted().map(\.rawValue).joined(separator: ", ")
            description += (description.isEmpty ? "" : "\n\n") + "Roles: \(who)."
        }
        if !description.isEmpty { o["description"] = .string(description) }
        o["operationId"] = .string(operationID(op))
        o["x-roles"] = op.roles.map { .array($0.sorted().map { .string($0.rawValue) }) } ?? .array([])
        if op.roles == nil { o["security"] = .array([]) }

        var parameters: [JSONValue] = op.pathParameters.map { name in
            .object(["name": .string(name), "in": .string("path"), "required": .bool(true),
                     "schema": .object(["type": .string("string"), "minLength": .int(1), "maxLength": .int(64), "pattern": .string("^[A-Za-z0-9._-]+$")])])
        }
        for q in op.doc.query {
            parameters.append(.object(["name": .string(q.name), "in": .string("query"), "required": .bool(false),
                                       "description": .string(q.description), "schema": jsonSchema(q.schema, &components)]))
        }
        if op.idempotent { parameters.append(.object(["$ref": .string("#/components/parameters/IdempotencyKey")])) }
        if op.doc.ifMatch { parameters.append(.object(["$ref": .string("#/components/parameters/IfMatch")])) }
        if !parameters.isEmpty { o["parameters"] = .array(parameters) }

        switch op.doc.request {
        case .json(let schema, let optional, let example)?:
            var media = JSONObject()
            media["schema"] = jsonSchema(schema, &components)
            if let example { media["example"] = example }
            o["requestBody"] = .object(["required": .bool(!optional), "content": .object(["application/json": .object(media)])])
        case .csv(let text)?:
            o["requestBody"] = .object(["required": .bool(true), "description": .string(text),
                                        "content": .object(["text/csv": .object(["schema": .object(["type": .string("string")])])])])
        case .csvOrJSON(let text, let schema)?:
            o["requestBody"] = .object(["required": .bool(true), "description": .string(text), "content": .object([
                "text/csv": .object(["schema": .object(["type": .string("string")])]),
                "application/json": .object(["schema": jsonSchema(schema, &components)]),
            ])])
        case .raw(let contentType, let schema, let text)?:
            o["requestBody"] = .object(["required": .bool(true), "description": .string(text),
                                        "content": .object([contentType: .object(["schema": jsonSchema(schema, &components)])])])
        case nil:
            break
        }

        var responses: [(Int, JSONValue)] = []
        for r in op.doc.responses {
            var response = JSONObject()
            response["description"] = .string(r.description)
            var headers = JSONObject()
            for h in r.headers { headers[h.name] = .object(["description": .string(h.description), "schema": .object(["type": .string("string")])]) }
            if op.idempotent { headers["Idempotent-Replayed"] = .object(["description": .string("true when this is a stored answer replayed for a repeated Idempotency-Key."), "schema": .object(["type": .string("string")])]) }
            if !headers.entries.isEmpty { response["headers"] = .object(headers) }
            if !r.links.isEmpty {
                response["links"] = .object(JSONObject(r.links.map { link in
                    (key: link.name, value: .object([
                        "operationId": .string(operationID(method: link.method, path: link.path)),
                        "parameters": .object(JSONObject(link.parameters.map { (key: $0.name, value: JSONValue.string($0.expression)) })),
                    ]))
                }))
            }
            switch r.body {
            case .json(let schema):
                var media = JSONObject()
                media["schema"] = jsonSchema(schema, &components)
                if let example = r.example { media["example"] = example }
                response["content"] = .object(["application/json": .object(media)])
            case .jsonOrHTML(let schema):
                response["content"] = .object([
                    "application/json": .object(["schema": jsonSchema(schema, &components)]),
                    "text/html": .object(["schema": .object(["type": .string("string")])]),
                ])
            case .jsonOrCSV(let schema):
                response["content"] = .object([
                    "application/json": .object(["schema": jsonSchema(schema, &components)]),
                    "text/csv": .object(["schema": .object(["type": .string("string")])]),
                ])
            case .csv:
                response["content"] = .object(["text/csv": .object(["schema": .object(["type": .string("string")])])])
            case .empty:
                break
            }
            responses.append((r.status, .object(response)))
        }
        var byStatus: [Int: [String]] = [:]
        for p in op.problems { byStatus[p.status, default: []].append(p.code) }
        for (status, declared) in byStatus {
            let codes = declared.sorted()
            let name = problemResponseName(status: status, codes: codes)
            problemResponses[name] = problemResponse(codes)
            responses.append((status, .object(["$ref": .string("#/components/responses/\(name)")])))
        }
        o["responses"] = .object(JSONObject(responses.sorted { $0.0 < $1.0 }.map { (key: String($0.0), value: $0.1) }))
        return o
    }

    /// A problem+json response whose `code` is one of `codes`, as an enum: clients can switch
    /// on it, and schemathesis's response_schema_conformance holds the server to it.
    static func problemResponse(_ codes: [String]) -> JSONValue {
        .object([
            "description": .string(codes.joined(separator: ", ")),
            "content": .object(["application/problem+json": .object(["schema": .object(["allOf": .array([
                .object(["$ref": .string("#/components/schemas/Problem")]),
                .object(["properties": .object(["code": .object(["enum": .array(codes.map(JSONValue.string))])])]),
            ])])])]),
        ])
    }

    /// `Problem404-…`: the status and a hash of the codes, so operations that answer the same
    /// codes share one response and a name never depends on the order routes are registered.
    static func problemResponseName(status: Int, codes: [String]) -> String {
        var hash: UInt32 = 0x811c_9dc5  // FNV-1a
        for byte in codes.joined(separator: ",").utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let hex = String(hash, radix: 16)
        return "Problem\(status)-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// `getOrdersById`, `postOrdersByIdConfirm`: method and path, stable and unique.
    static func operationID(_ op: Operation) -> String { operationID(method: op.method, path: op.path) }

    /// The id of the operation at `method` and router pattern `path`.
    static func operationID(method: HTTPMethod, path: String) -> String {
        var id = method.rawValue.lowercased()
        for segment in path.split(separator: "/") where segment != "v1" {
            let word = segment.hasPrefix(":") ? "By" + capitalised(segment.dropFirst()) : capitalised(segment)
            id += word
        }
        return id
    }

    private static func capitalised(_ s: Substring) -> String {
        s.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// RFC 9457 with Bahi's members; further members (`shortfall`, `request_id`) allowed.
    static let problemSchema: JSONValue = .object([
        "type": .string("object"),
        "required": .array(["type", "title", "status", "detail", "code"].map(JSONValue.string)),
        "properties": .object([
            "type": .object(["type": .string("string")]),
            "title": .object(["type": .string("string")]),
            "status": .object(["type": .string("integer")]),
            "detail": .object(["type": .string("string")]),
            "code": .object(["type": .string("string"), "description": .string("Stable machine code: switch on this.")]),
            "errors": .object(["type": .string("array"), "items": .object([
                "type": .string("object"), "required": .array(["field", "code", "message"].map(JSONValue.string)),
                "properties": .object(["field": .object(["type": .string("string")]), "code": .object(["type": .string("string")]),
                                       "message": .object(["type": .string("string")])]),
            ])]),
            "request_id": .object(["type": .string("string")]),
        ]),
    ])

    /// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of `schema`; named components met on
    /// the way are collected into `components`.
    static func jsonSchema(_ schema: Schema, _ components: inout [String: Component]) -> JSONValue {
        var o = JSONObject()
        var type: String?
        switch schema.kind {
        case .ref(let component):
            components[component.name] = component
            let ref = JSONValue.object(["$ref": .string("#/components/schemas/\(component.name)")])
            if schema.isNullable { o["anyOf"] = .array([ref, .object(["type": .string("null")])]) } else { o["$ref"] = .string("#/components/schemas/\(component.name)") }
        case .any:
            break
        case .string:
            type = "string"
            if let v = schema.minLength { o["minLength"] = .int(Int64(v)) }
            if let v = schema.maxLength { o["maxLength"] = .int(Int64(v)) }
            if let v = schema.format { o["format"] = .string(v) }
            if let v = schema.pattern { o["pattern"] = .string(v) }
            if let values = schema.enumValues { o["enum"] = .array(values.map(JSONValue.string) + (schema.isNullable ? [.null] : [])) }
        case .integer:
            type = "integer"
            o["format"] = .string("int64")
            if let v = schema.minimum { o["minimum"] = .int(v) }
            if let v = schema.maximum { o["maximum"] = .int(v) }
        case .number:
            type = "number"
        case .boolean:
            type = "boolean"
        case .array(let item):
            type = "array"
            o["items"] = jsonSchema(item, &components)
            if let v = schema.minItems { o["minItems"] = .int(Int64(v)) }
            if let v = schema.maxItems { o["maxItems"] = .int(Int64(v)) }
        case .object(let properties, let additional):
            type = "object"
            if !properties.isEmpty {
                o["properties"] = .object(JSONObject(properties.map { (key: $0.name, value: jsonSchema($0.schema, &components)) }))
                let required = properties.filter(\.required).map { JSONValue.string($0.name) }
                if !required.isEmpty { o["required"] = .array(required) }
            }
            o["additionalProperties"] = .bool(additional)
        }
        if let type {
            var head = JSONObject()
            head["type"] = schema.isNullable ? .array([.string(type), .string("null")]) : .string(type)
            for (k, v) in o { head[k] = v }
            o = head
        }
        if let d = schema.description { o["description"] = .string(d) }
        if let e = schema.example { o["examples"] = .array([e]) }
        return .object(o)
    }
}
