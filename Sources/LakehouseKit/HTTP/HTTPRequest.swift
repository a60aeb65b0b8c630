import Foundation

/// A complete request as handlers see it: head, body, the route's path parameters and the request id.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Path without the query, percent-decoding left to the router (per segment).
    public var path: String
    /// Raw query string without the `?`, or empty.
    public var query: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// `{name}` segments of the matched route pattern, percent-decoded.
    public var pathParameters: [String: String] = [:]
    /// The request's `X-Request-Id`, accepted from the client or created by the server.
    public var requestID: String = ""

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = String(target[target.index(after: question)...])
        } else {
            path = target
            query = ""
        }
        self.version = version
        self.headers = headers
        self.body = body
    }

    public init(head: HTTPRequestHead, body: [UInt8]) {
        self.init(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body)
    }

    /// Query parameters, percent- and `+`-decoded; the last occurrence of a name wins.
    public var queryParameters: [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusIsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusIsSpace: true) ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }

    /// Path parameter `name`; routes only bind names they declare, so a miss is a programming error
    /// reported as a 500 by the caller's `throw`.
    public func parameter(_ name: String) throws(APIError) -> String {
        guard let value = pathParameters[name] else { throw APIError.internal("route has no parameter '\(name)'") }
        return value
    }
}

/// RFC 3986 percent-decoding; nil when an escape is malformed or the result is not UTF-8.
public enum PercentDecoding {
    public static func decode<S: StringProtocol>(_ text: S, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(HTTPRequestParser.hexValue),
                    let low = iterator.next().flatMap(HTTPRequestParser.hexValue)
                else { return nil }
                bytes.append(UInt8(high << 4 | low))
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
