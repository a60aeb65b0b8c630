import Glibc

public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warn, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One logfmt line per event on stderr: `ts=… level=… daemon=… request_id=… msg="…" key=value…`.
/// Each line goes out in a single write(2), so lines from different threads never interleave.
public struct Logger: Sendable {
    public let daemon: String
    public let minimumLevel: LogLevel

    public init(daemon: String, level: LogLevel = .info) {
        self.daemon = daemon
        self.minimumLevel = level
    }

    public func debug(_ message: String, requestID: String? = nil, _ fields: [(String, String)] = []) { log(.debug, message, requestID: requestID, fields) }
    public func info(_ message: String, requestID: String? = nil, _ fields: [(String, String)] = []) { log(.info, message, requestID: requestID, fields) }
    public func warn(_ message: String, requestID: String? = nil, _ fields: [(String, String)] = []) { log(.warn, message, requestID: requestID, fields) }
    public func error(_ message: String, requestID: String? = nil, _ fields: [(String, String)] = []) { log(.error, message, requestID: requestID, fields) }

    public func log(_ level: LogLevel, _ message: String, requestID: String? = nil, _ fields: [(String, String)] = []) {
        guard level >= minimumLevel else { return }
        let line = Logger.format(ts: Logger.timestamp(), level: level, daemon: daemon, requestID: requestID, message: message, fields: fields)
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    static func format(ts: String, level: LogLevel, daemon: String, requestID: String?, message: String, fields: [(String, String)]) -> String {
        var line = "ts=\(ts) level=\(level.name) daemon=\(quote(daemon))"
        if let requestID, !requestID.isEmpty { line += " request_id=\(quote(requestID))" }
        line += " msg=\(quote(message))"
        for (key, value) in fields { line += " \(key)=\(quote(value))" }
        return line
    }

    /// logfmt quoting: bare when safe, otherwise double-quoted with `\"`, `\\`, `\n` escapes.
    static func quote(_ value: String) -> String {
        if !value.isEmpty && !value.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }) {
            return value
        }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds, without Foundation's formatter (which is slow and allocates).
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let s = String(value)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
