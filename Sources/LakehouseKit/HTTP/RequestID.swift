/// `X-Request-Id` values: accepted from callers when well-formed, created otherwise (SPEC §4 "tracing").
public enum RequestID {
    public static let header = "X-Request-Id"

    /// A caller's id is kept when it is 1–128 characters of `[A-Za-z0-9._:-]`: safe in logs and headers.
    public static func accept(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128 else { return nil }
        let ok = value.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        return ok ? value : nil
    }

    /// 16 random hex digits.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next()
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
