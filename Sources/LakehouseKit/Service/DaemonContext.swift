import Foundation

/// What a service is built from: its configuration, logger, metrics, and a client to its peers.
public struct DaemonContext: Sendable {
    public let daemon: Daemon
    public let config: CommonConfig
    public let environment: Environment
    public let logger: Logger
    public let metrics: MetricsRegistry
    public let peers: PeerClient

    public init(daemon: Daemon, config: CommonConfig, environment: Environment, logger: Logger, metrics: MetricsRegistry, peers: PeerClient) {
        self.daemon = daemon
        self.config = config
        self.environment = environment
        self.logger = logger
        self.metrics = metrics
        self.peers = peers
    }

    /// `$LAKEHOUSE_DATA_DIR/<daemon>`, created on first use.
    public func dataDirectory() throws -> String {
        let path = config.dataDirectory
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Calls to other daemons of the fleet: resolves `LAKEHOUSE_<DAEMON>_ADDR`, passes `X-Request-Id`
/// and `X-Lakehouse-Token` on, and uses the pooled client.
public struct PeerClient: Sendable {
    public let client: HTTPClient
    public let addresses: [Daemon: SocketAddress]
    public let serviceToken: String?

    public init(client: HTTPClient, addresses: [Daemon: SocketAddress], serviceToken: String?) {
        self.client = client
        self.addresses = addresses
        self.serviceToken = serviceToken
    }

    public func send(_ daemon: Daemon, _ method: HTTPMethod, _ target: String, body: [UInt8] = [], headers: HTTPHeaders = [:],
                     requestID: String? = nil, idempotent: Bool? = nil, timeoutMs: Int? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        let request = makeRequest(method, target, body: body, headers: headers, requestID: requestID, idempotent: idempotent)
        return try await client.send(request, to: addresses[daemon]!, timeoutMs: timeoutMs)
    }

    /// `send` for event-loop code (callback handlers): call on `loop`; `completion` runs on it.
    public func execute(_ daemon: Daemon, _ method: HTTPMethod, _ target: String, body: [UInt8] = [], headers: HTTPHeaders = [:],
                        requestID: String? = nil, idempotent: Bool? = nil, timeoutMs: Int? = nil, streamResponse: Bool = false, on loop: EventLoop,
                        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        var request = makeRequest(method, target, body: body, headers: headers, requestID: requestID, idempotent: idempotent)
        request.streamResponse = streamResponse
        client.execute(request, to: addresses[daemon]!, on: loop, timeoutMs: timeoutMs, completion: completion)
    }

    private func makeRequest(_ method: HTTPMethod, _ target: String, body: [UInt8], headers: HTTPHeaders, requestID: String?, idempotent: Bool?) -> HTTPClientRequest {
        var headers = headers
        if let requestID { headers.set(RequestID.header, requestID) }
        if let serviceToken { headers.set("X-Lakehouse-Token", serviceToken) }
        if !body.isEmpty && !headers.contains("Content-Type") { headers.set("Content-Type", "application/json") }
        return HTTPClientRequest(method: method, target: target, headers: headers, body: body, idempotent: idempotent)
    }

    /// True when the daemon's `/healthz` answers 200 within `timeoutMs`.
    public func isHealthy(_ daemon: Daemon, timeoutMs: Int = 500) async -> Bool {
        (try? await send(daemon, .GET, "/healthz", timeoutMs: timeoutMs))?.status == .ok
    }
}
