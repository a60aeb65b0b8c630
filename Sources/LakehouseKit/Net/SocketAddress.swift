import Glibc

/// A TCP endpoint parsed from `host:port` (`127.0.0.1:4217`, `localhost:4217`, `[::1]:4217`, `0.0.0.0:4200`).
/// Only numeric addresses and `localhost` are accepted: the fleet talks over loopback, and name
/// resolution would be a blocking call on a hot path.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }

    public let host: String
    public let port: Int
    public let family: Family

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ParseError(description: "'\(text)' is not host:port")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ParseError(description: "'\(text)' is not host:port") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw ParseError(description: "'\(text)' has no valid port (0-65535)")
        }
        if hostPart == "localhost" || hostPart.isEmpty { hostPart = "127.0.0.1" }
        let host = String(hostPart)
        if SocketAddress.parseIPv4(host) != nil {
            family = .ipv4
        } else if SocketAddress.parseIPv6(host) != nil {
            family = .ipv6
        } else {
            throw ParseError(description: "'\(text)': host must be a numeric IPv4/IPv6 address or localhost")
        }
        self.host = host
        self.port = port
    }

    public init(host: String, port: Int) throws(ParseError) {
        try self.init(parsing: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)")
    }

    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func parseIPv4(_ host: String) -> in_addr? {
        var addr = in_addr()
        return inet_pton(AF_INET, host, &addr) == 1 ? addr : nil
    }

    static func parseIPv6(_ host: String) -> in6_addr? {
        var addr = in6_addr()
        return inet_pton(AF_INET6, host, &addr) == 1 ? addr : nil
    }

    /// Calls `body` with a sockaddr for this endpoint.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch family {
        case .ipv4:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr = SocketAddress.parseIPv4(host)!
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            sin6.sin6_addr = SocketAddress.parseIPv6(host)!
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    var domain: Int32 { family == .ipv4 ? AF_INET : AF_INET6 }
}
