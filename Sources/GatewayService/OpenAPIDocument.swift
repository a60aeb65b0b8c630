import LakehouseKit

/// `GET /openapi.json`: OpenAPI 3.1 for every public `/v1/*` route the gateway serves. Written here by
/// hand from the daemons' route tables; `OpenAPIDocumentTests` fails when a `RouteTable` prefix or a
/// gateway route has no path here, so the document cannot silently fall behind the routing.
enum OpenAPIDocument {
    /// The document, encoded once.
    static let bytes: [UInt8] = (try? JSONCoding.encode(document)) ?? Array("{}".utf8)

    /// Routes the gateway answers itself (not through `RouteTable`).
    static let gatewayRoutes: [(method: HTTPMethod, path: String)] = [(.POST, "/v1/fill")]

    static var document: JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method.lowercased()] = operation.json
            paths[operation.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Lakehouse",
                "version": .string(LakehouseVersion.current),
                "description": "The public API of the Lakehouse fleet, served by the gateway. Every non-2xx answer is the error envelope. With LAKEHOUSE_API_KEYS set, every /v1/* call needs `Authorization: Bearer <key>`.",
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": []]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "One of LAKEHOUSE_API_KEYS (only when that variable is set)."]],
                "schemas": [
                    "Error": object([
                        "error": object(["code": string, "message": string, "request_id": string], required: ["code", "message", "request_id"]),
                    ], required: ["error"]),
                ],
                "responses": [
                    "Error": ["description": "The error envelope (4xx, 5xx).", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                ],
            ],
        ]
    }

    // MARK: - Operations

    struct Operation {
        let method: String
        let path: String
        let tag: String
        let summary: String
        var body: JSONValue? = nil
        var bodyRequired = true
        var query: [(String, JSONValue)] = []
        /// Every success status (the first is the usual one).
        var statuses = ["200"]
        var response: JSONValue = object([:])

        var json: JSONValue {
            var responses: [String: JSONValue] = ["default": ["$ref": "#/components/responses/Error"]]
            for status in statuses { responses[status] = ["description": "OK", "content": ["application/json": ["schema": response]]] }
            var operation: [String: JSONValue] = [
                "summary": .string(summary),
                "tags": [.string(tag)],
                "operationId": .string(operationID),
                "responses": .object(responses),
            ]
            var parameters: [JSONValue] = pathParameters.map { ["name": .string($0), "in": "path", "required": true, "schema": ["type": "string", "minLength": 1]] }
            parameters += query.map { ["name": .string($0.0), "in": "query", "required": false, "schema": $0.1] }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let body {
                operation["requestBody"] = ["required": .bool(bodyRequired), "content": ["application/json": ["schema": body]]]
            }
            return .object(operation)
        }

        var pathParameters: [String] {
            path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        }

        var operationID: String {
            let words = path.split(separator: "/").dropFirst().map { $0.hasPrefix("{") ? "by_" + $0.dropFirst().dropLast() : String($0) }
            return ([method.lowercased()] + words).joined(separator: "_").replacingOccurrences(of: "-", with: "_")
        }
    }

    static let operations: [Operation] = fill + embed + vectors + matrix + chat + validation + distillation + journal + truth

    static let fill: [Operation] = [
        Operation(method: "POST", path: "/v1/fill", tag: "fill", summary: "Fill a coordinator's request: understand, retrieve, draft and validate, journal.",
                  body: object(["query": ["type": "string", "minLength": 1, "maxLength": 2000], "count": int(1), "provider": ["type": "string", "minLength": 1], "max_attempts": ["type": "integer", "minimum": 1, "maximum": 10]],
                               required: ["query"], closed: true),
                  response: object(["run_id": string, "request": object([:]), "fill": nullable(object(["candidates": array(object(["worker_id": string, "name": string, "reason": string]))])),
                                    "email": nullable(object(["subject": string, "body": string])), "valid": boolean, "attempts": array(object([:])),
                                    "violations": array(object([:])), "corrected": array(string), "timings_ms": object([:])],
                                   required: ["run_id", "valid", "attempts", "violations"])),
    ]

    static let embed: [Operation] = [
        Operation(method: "POST", path: "/v1/embed", tag: "embed", summary: "Embed texts.",
                  body: object(["texts": array(string), "model": string], required: ["texts"], closed: true),
                  response: object(["model": string, "dims": int(1), "vectors": array(array(number))], required: ["vectors"])),
        Operation(method: "POST", path: "/v1/embeddings", tag: "embed", summary: "OpenAI-compatible embeddings.",
                  body: object(["input": ["anyOf": [string, array(string)]], "model": string, "encoding_format": string, "dimensions": int(1)], required: ["input"]),
                  response: object(["object": string, "data": array(object(["embedding": ["anyOf": [array(number), string]], "index": int(0)]))])),
        Operation(method: "GET", path: "/v1/cache/stats", tag: "embed", summary: "Embedding cache statistics."),
    ]

    static let vectors: [Operation] = [
        Operation(method: "GET", path: "/v1/indexes", tag: "vectors", summary: "List indexes with their statistics."),
        Operation(method: "PUT", path: "/v1/indexes/{name}", tag: "vectors", summary: "Create an index (200 if it exists with the same parameters, 409 if not).",
                  body: object(["dims": int(1), "metric": ["enum": ["cosine", "euclidean", "dot"]], "m": int(2), "ef_construction": int(1), "quantization": ["enum": ["float", "int8"]]], required: ["dims"]),
                  statuses: ["201", "200"]),
        Operation(method: "GET", path: "/v1/indexes/{name}", tag: "vectors", summary: "One index's statistics."),
        Operation(method: "DELETE", path: "/v1/indexes/{name}", tag: "vectors", summary: "Remove an index and its files."),
        Operation(method: "POST", path: "/v1/indexes/{name}/upsert", tag: "vectors", summary: "Insert or replace items, acknowledged once on disk (streamed body).",
                  body: object(["items": array(object(["id": string, "vector": array(number), "metadata": object([:])], required: ["id", "vector"]))], required: ["items"]),
                  response: object(["upserted": int(0)], required: ["upserted"])),
        Operation(method: "POST", path: "/v1/indexes/{name}/delete", tag: "vectors", summary: "Delete items by id.",
                  body: object(["ids": array(string)], required: ["ids"]), response: object(["deleted": int(0)], required: ["deleted"])),
        Operation(method: "GET", path: "/v1/indexes/{name}/items/{id}", tag: "vectors", summary: "One stored item.",
                  response: object(["id": string, "vector": array(number), "metadata": object([:])])),
        Operation(method: "POST", path: "/v1/indexes/{name}/search", tag: "vectors", summary: "Nearest neighbours, best first.",
                  body: object(["vector": array(number), "k": int(1), "ef": int(1), "filter": object([:])], required: ["vector"]),
                  response: object(["results": array(object(["id": string, "score": number, "metadata": object([:])]))], required: ["results"])),
        Operation(method: "POST", path: "/v1/indexes/search", tag: "vectors", summary: "Several searches (one or more indexes) in one request, answered in order.",
                  body: object(["vector": array(number),
                                "searches": array(object(["index": string, "vector": array(number), "k": int(1), "ef": int(1), "filter": object([:])], required: ["index"]))],
                               required: ["searches"]),
                  response: object(["searches": array(object(["index": string, "count": int(0),
                                                                "results": array(object(["id": string, "score": number, "metadata": object([:])]))]))],
                                   required: ["searches"])),
    ]

    static let matrix: [Operation] = [
        Operation(method: "GET", path: "/v1/corpora", tag: "matrix", summary: "List corpora."),
        Operation(method: "PUT", path: "/v1/corpora/{name}", tag: "matrix", summary: "Create or update a corpus over a vector index.",
                  body: object(["index": string, "text_fields": array(string), "role_field": string], required: ["index", "text_fields"]), statuses: ["201", "200"]),
        Operation(method: "GET", path: "/v1/corpora/{name}", tag: "matrix", summary: "One corpus."),
        Operation(method: "DELETE", path: "/v1/corpora/{name}", tag: "matrix", summary: "Remove a corpus and its vector index (e.g. to ingest again with another embedding model)."),
        Operation(method: "POST", path: "/v1/corpora/{name}/ingest", tag: "matrix", summary: "Embed and store records (streamed body).",
                  body: object(["records": array(object(["id": string], required: ["id"]))], required: ["records"])),
        Operation(method: "POST", path: "/v1/retrieve", tag: "matrix", summary: "Search several corpora at once.",
                  body: object(["query": string, "corpora": array(string), "k": int(1), "filters": object([:])], required: ["query"]),
                  response: object(["results": array(object([:]))])),
        Operation(method: "POST", path: "/v1/playbooks", tag: "matrix", summary: "Record a successful fill as a playbook.",
                  body: object(["query": string, "role": string, "city": string, "state": string, "worker_ids": array(string), "outcome": string, "run_id": string], required: ["query", "worker_ids"]), statuses: ["201"]),
        Operation(method: "POST", path: "/v1/extract-role", tag: "matrix", summary: "The role named in a sentence.",
                  body: object(["text": string], required: ["text"]), response: object(["role": nullable(string), "method": string, "confidence": number])),
        Operation(method: "POST", path: "/v1/understand", tag: "matrix", summary: "Count, role, city, state, shift and day of a request.",
                  body: object(["text": string], required: ["text"])),
        Operation(method: "POST", path: "/v1/memory", tag: "matrix", summary: "Add a memory.",
                  body: object(["subject": string, "text": string], required: ["subject", "text"]), statuses: ["201"]),
        Operation(method: "GET", path: "/v1/memory", tag: "matrix", summary: "List memories.", query: [("subject", string)]),
        Operation(method: "POST", path: "/v1/memory/search", tag: "matrix", summary: "Search memories.",
                  body: object(["subject": string, "query": string, "k": int(1)], required: ["query"])),
        Operation(method: "GET", path: "/v1/memory/{id}", tag: "matrix", summary: "One memory."),
        Operation(method: "PUT", path: "/v1/memory/{id}", tag: "matrix", summary: "Next version of a memory.",
                  body: object(["text": string], required: ["text"])),
        Operation(method: "DELETE", path: "/v1/memory/{id}", tag: "matrix", summary: "Tombstone a memory."),
        Operation(method: "GET", path: "/v1/memory/{id}/history", tag: "matrix", summary: "Every version of a memory."),
    ]

    static let chat: [Operation] = [
        Operation(method: "POST", path: "/v1/chat", tag: "chat", summary: "Chat through the configured providers (server-sent events with stream: true).",
                  body: object(["provider": string, "model": string, "messages": array(object(["role": string, "content": string], required: ["role", "content"])),
                                "temperature": number, "max_tokens": int(1), "json": boolean, "stream": boolean], required: ["messages"]),
                  response: object(["provider": string, "model": string, "message": object(["role": string, "content": string]), "usage": object([:]), "latency_ms": number])),
        Operation(method: "POST", path: "/v1/chat/completions", tag: "chat", summary: "OpenAI-compatible chat completions.",
                  body: object(["model": string, "messages": array(object(["role": string, "content": string], required: ["role", "content"])), "stream": boolean], required: ["messages"])),
        Operation(method: "GET", path: "/v1/providers", tag: "chat", summary: "Providers, fallback order and counters (never a key).",
                  response: object(["fallback": array(string), "providers": array(object([:]))])),
    ]

    static let validation: [Operation] = [
        Operation(method: "POST", path: "/v1/validate", tag: "validation", summary: "Check a fill proposal or a client e-mail.",
                  body: object(["kind": ["enum": ["fill", "email"]], "payload": object([:]), "context": object([:])], required: ["kind", "payload"], closed: true),
                  response: object(["valid": boolean, "violations": array(object(["rule": string, "severity": string, "path": string, "message": string]))], required: ["valid", "violations"])),
        Operation(method: "POST", path: "/v1/iterate", tag: "validation", summary: "Draft, validate and correct until valid or out of attempts.",
                  body: object(["kind": ["enum": ["fill"]], "request": object([:]), "candidates": array(object([:])), "playbook_worker_ids": array(string),
                                "provider": string, "model": string, "max_attempts": int(1), "run_id": string], required: ["kind", "request", "candidates"]),
                  response: object(["run_id": string, "valid": boolean, "attempts": array(object([:]))])),
    ]

    /// `GET /v1/materialize/status` and `/v1/replay/status`: `done` of `total` units (events, runs).
    static let progress = object(["running": boolean, "unit": string, "done": int(0), "total": int(0), "runs": int(0), "started_at": string,
                                  "elapsed_ms": number], required: ["running", "unit", "done", "total", "runs", "elapsed_ms"])

    static let distillation: [Operation] = [
        Operation(method: "POST", path: "/v1/materialize", tag: "distillation", summary: "Turn journaled runs into evidence, scored runs and quarantine.",
                  body: object(["dry_run": boolean]), bodyRequired: false),
        Operation(method: "GET", path: "/v1/materialize/summary", tag: "distillation", summary: "The last materialization's summary."),
        Operation(method: "GET", path: "/v1/materialize/status", tag: "distillation", summary: "Progress of the running (or last) materialization.",
                  response: progress),
        Operation(method: "POST", path: "/v1/export/{kind}", tag: "distillation", summary: "Export sft, rag or preference data.",
                  body: object([:]), bodyRequired: false, response: object(["kind": string, "path": string])),
        Operation(method: "POST", path: "/v1/replay", tag: "distillation", summary: "Replay recorded runs through the fleet and compare.",
                  body: object(["run_ids": array(string), "limit": int(1)]), bodyRequired: false,
                  response: object(["replay_id": string, "runs": array(object([:])), "unknown_run_ids": array(string), "counts": object([:])])),
        Operation(method: "GET", path: "/v1/replay/runs", tag: "distillation", summary: "Stored replay verdicts.", query: [("limit", int(1)), ("run_id", string)]),
        Operation(method: "GET", path: "/v1/replay/status", tag: "distillation", summary: "Progress of the running (or last) replay.", response: progress),
        Operation(method: "POST", path: "/v1/audit/baselines", tag: "audit", summary: "Append an audit baseline with its drift."),
        Operation(method: "POST", path: "/v1/audit/full", tag: "audit", summary: "Run the full audit, phase by phase."),
        Operation(method: "GET", path: "/v1/fleet", tag: "audit", summary: "Every daemon's status, version, uptime and RSS."),
    ]

    static let journal: [Operation] = [
        Operation(method: "POST", path: "/v1/events", tag: "journal", summary: "Append events, answered after fsync.",
                  body: object(["events": array(object(["id": string, "ts": ["type": "string", "format": "date-time"], "daemon": string, "type": string, "trace_id": string, "subject": string, "payload": object([:])],
                                                      required: ["ts", "daemon", "type", "trace_id", "payload"], closed: true))], required: ["events"]),
                  response: object(["events": array(object(["id": string, "seq": int(1), "hash": string, "duplicate": boolean]))], required: ["events"])),
        Operation(method: "GET", path: "/v1/events", tag: "journal", summary: "Query events by trace id, type or subject, ascending seq.",
                  query: [("trace_id", string), ("type", string), ("subject", string), ("since_seq", int(0)), ("limit", int(1))],
                  response: object(["events": array(object(["seq": int(1), "hash": string])), "next_since_seq": nullable(int(0))], required: ["events"])),
        Operation(method: "GET", path: "/v1/events/{seq}", tag: "journal", summary: "One stored event.", response: object(["seq": int(1), "hash": string])),
        Operation(method: "GET", path: "/v1/checkpoint", tag: "journal", summary: "RFC 9162 tree head over all durable events.",
                  response: object(["size": int(0), "root": string], required: ["size", "root"])),
        Operation(method: "GET", path: "/v1/proof/inclusion", tag: "journal", summary: "RFC 9162 inclusion proof.", query: [("seq", int(1)), ("size", int(1))]),
        Operation(method: "GET", path: "/v1/proof/consistency", tag: "journal", summary: "RFC 9162 consistency proof.", query: [("from", int(1)), ("to", int(1))]),
        Operation(method: "GET", path: "/v1/verify", tag: "journal", summary: "Re-read and re-hash the whole journal.",
                  response: object(["ok": boolean], required: ["ok"])),
    ]

    static let truth: [Operation] = [
        Operation(method: "POST", path: "/v1/claims", tag: "truth", summary: "Store claims durably.",
                  body: object(["claims": array(object(["subject": string, "attribute": string, "value": [:], "source": string, "observed_at": ["type": "string", "format": "date-time"],
                                                        "confidence": ["type": "number", "minimum": 0, "maximum": 1]], required: ["subject", "attribute", "value", "source", "observed_at"]))], required: ["claims"]),
                  response: object(["accepted": int(0)], required: ["accepted"])),
        Operation(method: "POST", path: "/v1/claims/import", tag: "truth", summary: "Bulk claims as JSON Lines or a streamed {\"claims\":[…]}.",
                  body: object(["claims": array(object([:]))])),
        Operation(method: "GET", path: "/v1/facts/{subject}", tag: "truth", summary: "A subject's reconciled facts.",
                  response: object(["subject": string, "attributes": object([:])], required: ["subject", "attributes"])),
        Operation(method: "POST", path: "/v1/facts", tag: "truth", summary: "Facts of several subjects.",
                  body: object(["subjects": array(string)], required: ["subjects"]),
                  response: object(["facts": array(object([:])), "missing": array(string)], required: ["facts", "missing"])),
        Operation(method: "POST", path: "/v1/reconcile", tag: "truth", summary: "One attribute's decision step by step.",
                  body: object(["subject": string, "attribute": string], required: ["subject", "attribute"])),
    ]

    // MARK: - Schema helpers

    static let string: JSONValue = ["type": "string"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]

    static func int(_ minimum: Int) -> JSONValue { ["type": "integer", "minimum": .number(Double(minimum))] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    /// An object schema; `closed` when the daemon refuses unknown fields.
    static func object(_ properties: [String: JSONValue], required: [String] = [], closed: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object"]
        if !properties.isEmpty { schema["properties"] = .object(properties) }
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }
}
