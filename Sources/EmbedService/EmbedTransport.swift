/// The one network call the network providers make: an HTTP POST of a JSON body. The HTTP client
/// lives in LakehouseKit (or URLSession for HTTPS); this protocol keeps the providers testable with
/// an in-memory fake and free of any transport detail.
public protocol EmbedTransport: Sendable {
    /// POSTs `body` to `url` and returns the reply whatever its status; throws only when there is
    /// no reply (timeout, connection failure; a cancelled call is `.failed("cancelled")`).
    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration)
        async throws(EmbedTransportError) -> EmbedTransportReply
}

public struct EmbedTransportReply: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why no reply came back. Providers map these to `EmbedError` (504, 503, 502).
public enum EmbedTransportError: Error, Sendable, Equatable {
    /// No complete reply within the timeout.
    case timedOut
    /// Could not connect: refused, DNS, TLS handshake. The message says which.
    case unreachable(String)
    /// Connected, but the exchange broke (reset, malformed HTTP).
    case failed(String)
}

/// Shared by the network providers: turning transport failures and non-2xx replies into the errors
/// clients see, with a short excerpt of what the provider said.
enum ProviderReply {
    static func error(_ error: EmbedTransportError, provider: String) -> EmbedError {
        switch error {
        case .timedOut: .providerTimeout(provider: provider)
        case .unreachable(let message): .providerUnavailable(provider: provider, message: message)
        case .failed(let message): .providerFailed(provider: provider, message: message)
        }
    }

    /// `HTTP <status>: <message or excerpt>` for a non-2xx reply.
    static func statusError(_ reply: EmbedTransportReply, provider: String, message: String?) -> EmbedError {
        let detail = message.map { String($0.prefix(excerptLength)) } ?? excerpt(reply.body)
        return .providerFailed(provider: provider, message: "HTTP \(reply.status): \(detail)")
    }

    static let excerptLength = 200

    /// The start of a body as one printable line, for error messages.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "(empty body)" }
        let head = String(decoding: body.prefix(excerptLength), as: UTF8.self)
        let line = String(head.unicodeScalars.map { $0.value < 0x20 || $0 == "\u{7F}" ? " " : Character($0) })
        return body.count > excerptLength ? line + "…" : line
    }
}
