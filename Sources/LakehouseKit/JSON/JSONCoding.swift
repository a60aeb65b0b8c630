import Foundation

/// Decoding request bodies and encoding responses, with decode failures turned into 400s whose
/// message says which field was wrong and how.
public enum JSONCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Decodes a request body; every failure is a `400 bad_request` naming the field at fault.
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(APIError) -> T {
        guard !body.isEmpty else { throw APIError.badRequest("request body is empty; expected a JSON object") }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            throw APIError.badRequest(describe(error))
        } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
    }

    /// For a `Decodable` whose typos would silently fall back to defaults (`"metirc": "dot"`): call
    /// from `init(from:)` to reject fields outside `allowed`, within the one decoding pass.
    public static func rejectUnknownFields(_ decoder: any Decoder, allowed: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError.badRequest("unknown field\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); expected: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// Encodes a value as a JSON string (logs, journal payloads).
    public static func string<T: Encodable>(_ value: T) -> String {
        (try? encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let rendered = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return rendered.isEmpty ? "body" : String(rendered.drop(while: { $0 == "." }))
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "field '\(path(context.codingPath))': expected \(jsonTypeName(type))"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': expected \(jsonTypeName(type)), got null"
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "request body is not valid JSON" }
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "request body does not match the expected shape"
        }
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : (String(describing: type).hasPrefix("Dictionary") ? "an object" : "\(type)")
        }
    }
}

/// A coding key for any field name, to list the keys a JSON object actually has.
public struct AnyCodingKey: CodingKey, Sendable {
    public let stringValue: String
    public let intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    public init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}
