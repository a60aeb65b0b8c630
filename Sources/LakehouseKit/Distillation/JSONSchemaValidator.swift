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
    private let definitions: [String: JSONValue]
    private let patterns: [String: RegexBox]

    final class RegexBox: @unchecked Sendable {
        let regex: NSRegularExpression
        init(_ regex: NSRegularExpression) { self.regex = regex }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public init(schema: JSONValue) throws(Failure) {
        self.schema = schema
        definitions = schema["$defs"]?.objectValue ?? [:]
        var patterns: [String: RegexBox] = [:]
        try Self.collect(schema, path: "#", into: &patterns)
        self.patterns = patterns
    }

    public init(schemaText: String) throws(Failure) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(schemaText.utf8)) else {
            throw Failure(message: "the schema is not JSON")
        }
        try self.init(schema: value)
    }

    private static func collect(_ schema: JSONValue, path: String, into patterns: inout [String: RegexBox]) throws(Failure) {
        switch schema {
        case .bool: return
        case .object(let fields):
            for (key, value) in fields {
                guard supportedKeywords.contains(key) else { throw Failure(message: "\(path): keyword '\(key)' is outside the supported subset") }
                switch key {
                case "pattern":
                    guard let text = value.stringValue, let regex = try? NSRegularExpression(pattern: text) else {
                        throw Failure(message: "\(path)/pattern: not a regular expression")
                    }
                    patterns[text] = RegexBox(regex)
                case "properties", "$defs":
                    for (name, sub) in value.objectValue ?? [:] { try collect(sub, path: "\(path)/\(key)/\(name)", into: &patterns) }
                case "items", "additionalProperties":
                    try collect(value, path: "\(path)/\(key)", into: &patterns)
                case "prefixItems", "anyOf":
                    for (index, sub) in (value.arrayValue ?? []).enumerated() { try collect(sub, path: "\(path)/\(key)/\(index)", into: &patterns) }
                default:
                    break
                }
            }
        default:
            throw Failure(message: "\(path): a schema must be an object or a boolean")
        }
    }

    /// Every way `instance` breaks the schema (empty when it conforms), as "path: problem".
    public func errors(_ instance: JSONValue, limit: Int = 20) -> [String] {
        var out: [String] = []
        check(instance, against: schema, at: "$", into: &out, limit: limit, depth: 0)
        return out
    }

    public func isValid(_ instance: JSONValue) -> Bool { errors(instance, limit: 1).isEmpty }

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String, into out: inout [String], limit: Int, depth: Int) {
        guard out.count < limit else { return }
        guard depth < 64 else { return out.append("\(path): schema nesting too deep") }
        if case .bool(let allowed) = schema {
            if !allowed { out.append("\(path): not allowed here") }
            return
        }
        guard let s = schema.objectValue else { return }
        if let ref = s["$ref"]?.stringValue {
            if ref.hasPrefix("#/$defs/"), let target = definitions[String(ref.dropFirst(8))] {
                check(value, against: target, at: path, into: &out, limit: limit, depth: depth + 1)
            } else {
                out.append("\(path): unresolvable $ref \(ref)")
            }
        }
        if let type = s["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                out.append("\(path): expected \(allowed.joined(separator: " or ")), got \(Self.typeName(value))")
                return
            }
        }
        if let constant = s["const"], !Self.equal(constant, value) { out.append("\(path): expected the constant \(JSONCoding.string(constant))") }
        if let options = s["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            out.append("\(path): \(JSONCoding.string(value)) is not one of \(JSONCoding.string(JSONValue.array(options)))")
        }
        if let anyOf = s["anyOf"]?.arrayValue {
            let passes = anyOf.contains { option in
                var scratch: [String] = []
                check(value, against: option, at: path, into: &scratch, limit: 1, depth: depth + 1)
                return scratch.isEmpty
            }
            if !passes { out.append("\(path): matches none of the anyOf alternatives") }
        }
        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if let min = s["minLength"]?.numberValue, Double(length) < min { out.append("\(path): shorter than \(Int(min))") }
            if let max = s["maxLength"]?.numberValue, Double(length) > max { out.append("\(path): longer than \(Int(max))") }
            if let pattern = s["pattern"]?.stringValue, let box = patterns[pattern],
               box.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                out.append("\(path): does not match \(pattern)")
            }
        case .number(let number):
            if let min = s["minimum"]?.numberValue, number < min { out.append("\(path): below the minimum \(min)") }
            if let max = s["maximum"]?.numberValue, number > max { out.append("\(path): above the maximum \(max)") }
            if let min = s["exclusiveMinimum"]?.numberValue, number <= min { out.append("\(path): not above \(min)") }
            if let max = s["exclusiveMaximum"]?.numberValue, number >= max { out.append("\(path): not below \(max)") }
        case .array(let items):
            if let min = s["minItems"]?.numberValue, Double(items.count) < min { out.append("\(path): fewer than \(Int(min)) items") }
            if let max = s["maxItems"]?.numberValue, Double(items.count) > max { out.append("\(path): more than \(Int(max)) items") }
            if s["uniqueItems"]?.boolValue == true, Set(items).count != items.count { out.append("\(path): items are not unique") }
            let prefix = s["prefixItems"]?.arrayValue ?? []
            for (index, item) in items.enumerated() {
                if index < prefix.count {
                    check(item, against: prefix[index], at: "\(path)[\(index)]", into: &out, limit: limit, depth: depth + 1)
                } else if let itemSchema = s["items"] {
                    check(item, against: itemSchema, at: "\(path)[\(index)]", into: &out, limit: limit, depth: depth + 1)
                }
            }
        case .object(let fields):
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
                out.append("\(path): missing field '\(name)'")
            }
            let properties = s["properties"]?.objectValue ?? [:]
            for key in fields.keys.sorted() {
                let child = "\(path).\(key)"
                if let propertySchema = properties[key] {
                    check(fields[key]!, against: propertySchema, at: child, into: &out, limit: limit, depth: depth + 1)
                } else if let extra = s["additionalProperties"] {
                    if case .bool(false) = extra {
                        out.append("\(path): unknown field '\(key)'")
                    } else {
                        check(fields[key]!, against: extra, at: child, into: &out, limit: limit, depth: depth + 1)
                    }
                }
            }
        default:
            break
        }
    }

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
