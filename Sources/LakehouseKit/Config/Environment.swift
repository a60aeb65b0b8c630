/// Typed, validated reads of environment variables. Every daemon reads its `<DAEMON>_*` variables in
/// one config type built on this; a bad value becomes one `ConfigError` line naming the variable.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    /// The variable when set and non-empty.
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String { self[name] ?? fallback }

    public func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text.trimmingASCIIWhitespace()), range.contains(value) else {
            throw ConfigError("\(name)=\(text) is invalid: expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// Byte sizes: plain integers or with a binary suffix (`64K`, `256M`, `2G`, `KiB`/`MiB`/`GiB`).
    public func bytes(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = self[name] else { return fallback }
        guard let value = Environment.parseBytes(text), range.contains(value) else {
            throw ConfigError("\(name)=\(text) is invalid: expected a byte size in \(range.lowerBound)...\(range.upperBound) (e.g. 33554432, 512K, 32M, 1G)")
        }
        return value
    }

    public func choice(_ name: String, default fallback: String, from allowed: [String]) throws(ConfigError) -> String {
        guard let text = self[name] else { return fallback }
        guard allowed.contains(text) else {
            throw ConfigError("\(name)=\(text) is invalid: expected one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    /// Comma-separated list, entries trimmed, empties dropped.
    public func list(_ name: String) -> [String] {
        guard let text = self[name] else { return [] }
        return text.split(separator: ",").map { String($0.trimmingASCIIWhitespace()) }.filter { !$0.isEmpty }
    }

    public func address(_ name: String, default fallback: String) throws(ConfigError) -> SocketAddress {
        let text = self[name] ?? fallback
        do {
            return try SocketAddress(parsing: text)
        } catch {
            throw ConfigError("\(name)=\(text) is invalid: \(error.description)")
        }
    }

    static func parseBytes(_ text: String) -> Int? {
        let trimmed = text.trimmingASCIIWhitespace().uppercased()
        let digits = trimmed.prefix(while: { $0.isNumber })
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let multiplier: Int
        switch trimmed.dropFirst(digits.count) {
        case "", "B": multiplier = 1
        case "K", "KB", "KIB": multiplier = 1 << 10
        case "M", "MB", "MIB": multiplier = 1 << 20
        case "G", "GB", "GIB": multiplier = 1 << 30
        default: return nil
        }
        let (result, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }
}
