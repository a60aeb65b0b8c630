import Synchronization

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

    /// 16 hex digits: a per-process random seed plus a counter, mixed by splitmix64 (a bijection, so
    /// ids never repeat within a process) — no getrandom(2) call per request.
    public static func make() -> String {
        var z = seed &+ counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let hex = String(z, radix: 16)
        return hex.count == 16 ? hex : String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)
}
