import Foundation

/// A validator for the part of JSON Schema draft 2020-12 that the canonical artifact schemas use
/// (`Sources/LakehouseKit/Schemas`): type, const, enum, required, properties, additionalProperties,
/// items, prefixItems, minItems, maxItems, uniqueItems, minLength, maxLength, pattern, minimum,
/// maximum, exclusiveMinimum, exclusiveMaximum, anyOf, and `$ref` to `#/$defs/…`. Annotations
/// ($schema, $id, title, description, and `format`, which 2020-12 makes an annotation by default)
/// are ignored. A schema
/// using any other keyword is refused when loaded, so the subset cannot silently drift; the tests
/// check that this validator and Python's `jsonschema` agree on every fixture.
public struct JSONSchemaValidator: Sendable {
    public static let supportedKeywords: Set<String> = [
        "$schema", "$id", "title", "description", "$defs", "$ref", "type", "const", "enum", "required", "properties",
        "additionalProperties", "items", "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern",
        "minimum", "maximum", "anyOf", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum", "format",
    ]

    public let schema: JSONValue
    private let root: CompiledSchema

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public init(schema: JSONValue) throws(Failure) {
        self.schema = schema
        var definitions: [String: CompiledSchema] = [:]
        for name in (schema["$defs"]?.objectValue ?? [:]).keys { definitions[name] = CompiledSchema() }
        for (name, sub) in schema["$defs"]?.objectValue ?? [:] { try definitions[name]!.fill(sub, path: "#/$defs/\(name)", definitions) }
        let root = CompiledSchema()
        try root.fill(schema, path: "#", definitions)
        self.root = root
    }

    public init(schemaText: String) throws(Failure) {
        guard let value = JSONParsing.value(Array(schemaText.utf8)) else { throw Failure(message: "the schema is not JSON") }
        try self.init(schema: value)
    }

    /// Every way `instance` breaks the schema (empty when it conforms), as "path: problem".
    public func errors(_ instance: JSONValue, limit: Int = 20) -> [String] {
        var out: [String] = []
        root.check(instance, at: "$", into: &out, limit: limit, depth: 0)
        return out
    }

    public func isValid(_ instance: JSONValue) -> Bool { errors(instance, limit: 1).isEmpty }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number(let n)): n.isFinite && n == n.rounded()
        default: false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// JSON equality (numbers by value, objects regardless of key order).
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool { a == b }
}

/// One schema node with its keywords read once (the validator checks hundreds of thousands of
/// records; looking keywords up by name at every node would dominate). Built once, then read-only.
final class CompiledSchema: @unchecked Sendable {
    var allowsNothing = false
    var ref: CompiledSchema?
    var refName: String?
    var types: [String]?
    var constant: JSONValue?
    var options: [JSONValue]?
    var anyOf: [CompiledSchema]?
    var minLength: Double?, maxLength: Double?, minimum: Double?, maximum: Double?, exclusiveMinimum: Double?, exclusiveMaximum: Double?
    var minItems: Double?, maxItems: Double?
    var uniqueItems = false
    var pattern: NSRegularExpression?
    var patternText = ""
    var required: [String] = []
    var properties: [String: CompiledSchema] = [:]
    var additional: CompiledSchema?
    var prefixItems: [CompiledSchema] = []
    var items: CompiledSchema?

    func fill(_ schema: JSONValue, path: String, _ definitions: [String: CompiledSchema]) throws(JSONSchemaValidator.Failure) {
        typealias Failure = JSONSchemaValidator.Failure
        if case .bool(let allowed) = schema {
            allowsNothing = !allowed
            return
        }
        guard let fields = schema.objectValue else { throw Failure(message: "\(path): a schema must be an object or a boolean") }
        func sub(_ value: JSONValue, _ at: String) throws(Failure) -> CompiledSchema {
            let node = CompiledSchema()
            try node.fill(value, path: at, definitions)
            return node
        }
        for (key, value) in fields {
            guard JSONSchemaValidator.supportedKeywords.contains(key) else { throw Failure(message: "\(path): keyword '\(key)' is outside the supported subset") }
            switch key {
            case "$ref":
                let text = value.stringValue ?? ""
                refName = text
                guard text.hasPrefix("#/$defs/"), let target = definitions[String(text.dropFirst(8))] else { throw Failure(message: "\(path): unresolvable $ref \(text)") }
                ref = target
            case "type": types = value.arrayValue?.compactMap(\.stringValue) ?? [value.stringValue ?? ""]
            case "const": constant = value
            case "enum": options = value.arrayValue ?? []
            case "anyOf":
                var nodes: [CompiledSchema] = []
                for (index, option) in (value.arrayValue ?? []).enumerated() { nodes.append(try sub(option, "\(path)/anyOf/\(index)")) }
                anyOf = nodes
            case "minLength": minLength = value.numberValue
            case "maxLength": maxLength = value.numberValue
            case "minimum": minimum = value.numberValue
            case "maximum": maximum = value.numberValue
            case "exclusiveMinimum": exclusiveMinimum = value.numberValue
            case "exclusiveMaximum": exclusiveMaximum = value.numberValue
            case "minItems": minItems = value.numberValue
            case "maxItems": maxItems = value.numberValue
            case "uniqueItems": uniqueItems = value.boolValue ?? false
            case "pattern":
                guard let text = value.stringValue, let regex = try? NSRegularExpression(pattern: text) else { throw Failure(message: "\(path)/pattern: not a regular expression") }
                pattern = regex
                patternText = text
            case "required": required = value.arrayValue?.compactMap(\.stringValue) ?? []
            case "properties":
                for (name, child) in value.objectValue ?? [:] { properties[name] = try sub(child, "\(path)/properties/\(name)") }
            case "additionalProperties": additional = try sub(value, "\(path)/additionalProperties")
            case "prefixItems":
                for (index, child) in (value.arrayValue ?? []).enumerated() { prefixItems.append(try sub(child, "\(path)/prefixItems/\(index)")) }
            case "items": items = try sub(value, "\(path)/items")
            default: break
            }
        }
    }

    func check(_ value: JSONValue, at path: @autoclosure () -> String, into out: inout [String], limit: Int, depth: Int) {
        guard out.count < limit else { return }
        guard depth < 64 else { return out.append("\(path()): schema nesting too deep") }
        if allowsNothing { return out.append("\(path()): not allowed here") }
        if let ref { ref.check(value, at: path(), into: &out, limit: limit, depth: depth + 1) }
        if let types, !types.contains(where: { JSONSchemaValidator.matches(value, type: $0) }) {
            return out.append("\(path()): expected \(types.joined(separator: " or ")), got \(JSONSchemaValidator.typeName(value))")
        }
        if let constant, constant != value { out.append("\(path()): expected the constant \(JSONCoding.string(constant))") }
        if let options, !options.contains(value) { out.append("\(path()): \(JSONCoding.string(value)) is not one of \(JSONCoding.string(JSONValue.array(options)))") }
        if let anyOf {
            let passes = anyOf.contains { option in
                var scratch: [String] = []
                option.check(value, at: "", into: &scratch, limit: 1, depth: depth + 1)
                return scratch.isEmpty
            }
            if !passes { out.append("\(path()): matches none of the anyOf alternatives") }
        }
        switch value {
        case .string(let text):
            if minLength != nil || maxLength != nil {
                let length = Double(text.unicodeScalars.count)
                if let minLength, length < minLength { out.append("\(path()): shorter than \(Int(minLength))") }
                if let maxLength, length > maxLength { out.append("\(path()): longer than \(Int(maxLength))") }
            }
            if let pattern, pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                out.append("\(path()): does not match \(patternText)")
            }
        case .number(let number):
            if let minimum, number < minimum { out.append("\(path()): below the minimum \(minimum)") }
            if let maximum, number > maximum { out.append("\(path()): above the maximum \(maximum)") }
            if let exclusiveMinimum, number <= exclusiveMinimum { out.append("\(path()): not above \(exclusiveMinimum)") }
            if let exclusiveMaximum, number >= exclusiveMaximum { out.append("\(path()): not below \(exclusiveMaximum)") }
        case .array(let elements):
            if let minItems, Double(elements.count) < minItems { out.append("\(path()): fewer than \(Int(minItems)) items") }
            if let maxItems, Double(elements.count) > maxItems { out.append("\(path()): more than \(Int(maxItems)) items") }
            if uniqueItems, Set(elements).count != elements.count { out.append("\(path()): items are not unique") }
            for (index, element) in elements.enumerated() {
                if index < prefixItems.count {
                    prefixItems[index].check(element, at: "\(path())[\(index)]", into: &out, limit: limit, depth: depth + 1)
                } else if let items {
                    items.check(element, at: "\(path())[\(index)]", into: &out, limit: limit, depth: depth + 1)
                }
            }
        case .object(let fields):
            for name in required where fields[name] == nil { out.append("\(path()): missing field '\(name)'") }
            for (key, child) in fields {
                if let property = properties[key] {
                    property.check(child, at: "\(path()).\(key)", into: &out, limit: limit, depth: depth + 1)
                } else if let additional {
                    if additional.allowsNothing {
                        out.append("\(path()): unknown field '\(key)'")
                    } else {
                        additional.check(child, at: "\(path()).\(key)", into: &out, limit: limit, depth: depth + 1)
                    }
                }
            }
        default:
            break
        }
    }
}
