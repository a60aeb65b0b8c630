import Testing
@testable import GatewayService
import LakehouseKit

/// The OpenAPI document cannot drift from the routing: a prefix the gateway forwards, or a route it
/// answers itself, without a path in the document fails here.
private let paths = OpenAPIDocument.document.objectValue?["paths"]?.objectValue ?? [:]

@Test func everyRouteTablePrefixHasAPath() {
    for entry in RouteTable.standard.entries {
        let covered = paths.keys.contains { $0 == entry.prefix || $0.hasPrefix(entry.prefix + "/") }
        #expect(covered, "no path in /openapi.json for the prefix \(entry.prefix) (\(entry.daemon))")
    }
}

@Test func everyGatewayRouteHasItsOperation() {
    for route in OpenAPIDocument.gatewayRoutes {
        #expect(paths[route.path]?.objectValue?[route.method.description.lowercased()] != nil, "no \(route.method) \(route.path) in /openapi.json")
    }
}

@Test func everyDocumentedPathIsServed() {
    let own = Set(OpenAPIDocument.gatewayRoutes.map(\.path))
    for path in paths.keys {
        #expect(own.contains(path) || RouteTable.standard.entry(for: path) != nil, "\(path) is documented but the gateway does not route it")
    }
}

@Test func documentIsOpenAPI31WithTheErrorEnvelopeAndBearerAuth() throws {
    let document = try JSONCoding.decode(JSONValue.self, from: OpenAPIDocument.bytes).objectValue ?? [:]
    #expect(document["openapi"]?.stringValue == "3.1.0")
    let components = document["components"]?.objectValue
    #expect(components?["securitySchemes"]?.objectValue?["bearer"]?.objectValue?["scheme"]?.stringValue == "bearer")
    let envelope = components?["schemas"]?.objectValue?["Error"]?.objectValue?["properties"]?.objectValue?["error"]
    #expect(envelope?.objectValue?["required"] == ["code", "message", "request_id"])
    // Every operation has an id, a success answer and the shared error answer; ids are unique.
    var ids: Set<String> = []
    for (path, item) in paths {
        for (method, operation) in item.objectValue ?? [:] {
            let responses = operation.objectValue?["responses"]?.objectValue ?? [:]
            #expect(responses["default"] == ["$ref": "#/components/responses/Error"], "\(method) \(path)")
            #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) has no 2xx answer")
            let id = operation.objectValue?["operationId"]?.stringValue ?? ""
            #expect(!id.isEmpty && ids.insert(id).inserted, "\(method) \(path): operationId '\(id)' missing or repeated")
        }
    }
    #expect(paths.count >= 40)
}

@Test func pathParametersAreDeclared() {
    for (path, item) in paths {
        let names = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        for (method, operation) in item.objectValue ?? [:] {
            let declared = (operation.objectValue?["parameters"]?.arrayValue ?? []).compactMap { $0.objectValue?["in"] == "path" ? $0.objectValue?["name"]?.stringValue : nil }
            #expect(Set(declared) == Set(names), "\(method) \(path)")
        }
    }
}
