import Foundation

/// Every `LAKEHOUSE_*` variable, parsed and validated in one place (README: configuration table).
public struct CommonConfig: Sendable {
    public let daemon: Daemon
    public let listenAddress: SocketAddress
    /// Where every daemon's peer listens (`LAKEHOUSE_<DAEMON>_ADDR` doubles as the peer address).
    public let peers: [Daemon: SocketAddress]
    /// `$LAKEHOUSE_DATA_DIR`; this daemon writes under `dataRoot/<daemon>/`.
    public let dataRoot: String
    public let maxBodyBytes: Int
    public let maxStreamingBodyBytes: Int
    public let maxConnections: Int
    public let requestTimeoutMs: Int
    public let idleTimeoutMs: Int
    public let writeTimeoutMs: Int
    public let drainTimeoutMs: Int
    public let logLevel: LogLevel
    public let apiKeys: Set<String>
    public let serviceToken: String?
    public let peerConnectTimeoutMs: Int
    public let peerTimeoutMs: Int

    public init(daemon: Daemon, environment: Environment) throws(ConfigError) {
        self.daemon = daemon
        var peers: [Daemon: SocketAddress] = [:]
        for peer in Daemon.allCases {
            peers[peer] = try environment.address(peer.addressVariable, default: "127.0.0.1:\(peer.defaultPort)")
        }
        self.peers = peers
        listenAddress = peers[daemon]!
        dataRoot = environment.string("LAKEHOUSE_DATA_DIR", default: "./data")
        maxBodyBytes = try environment.bytes("LAKEHOUSE_MAX_BODY", default: 32 << 20, in: 1024...(4 << 30))
        maxStreamingBodyBytes = try environment.bytes("LAKEHOUSE_MAX_STREAM_BODY", default: 4 << 30, in: 1024...(1 << 40))
        maxConnections = try environment.int("LAKEHOUSE_MAX_CONNECTIONS", default: 4096, in: 1...1_000_000)
        requestTimeoutMs = try environment.int("LAKEHOUSE_HEADER_TIMEOUT_MS", default: 10_000, in: 10...3_600_000)
        idleTimeoutMs = try environment.int("LAKEHOUSE_IDLE_TIMEOUT_MS", default: 60_000, in: 10...86_400_000)
        writeTimeoutMs = try environment.int("LAKEHOUSE_WRITE_TIMEOUT_MS", default: 10_000, in: 10...3_600_000)
        drainTimeoutMs = try environment.int("LAKEHOUSE_DRAIN_TIMEOUT_MS", default: 10_000, in: 0...3_600_000)
        let levelName = environment.string("LAKEHOUSE_LOG_LEVEL", default: "info")
        guard let level = LogLevel(name: levelName) else {
            throw ConfigError("LAKEHOUSE_LOG_LEVEL=\(levelName) is invalid: expected one of debug, info, warn, error")
        }
        logLevel = level
        apiKeys = Set(environment.list("LAKEHOUSE_API_KEYS"))
        serviceToken = environment["LAKEHOUSE_SERVICE_TOKEN"]
        peerConnectTimeoutMs = try environment.int("LAKEHOUSE_PEER_CONNECT_TIMEOUT_MS", default: 1_000, in: 1...600_000)
        peerTimeoutMs = try environment.int("LAKEHOUSE_PEER_TIMEOUT_MS", default: 30_000, in: 1...3_600_000)
        _ = try environment.int("LAKEHOUSE_EVENT_LOOPS", default: 1, in: 1...64)  // read by EventLoopGroup.shared
    }

    /// `$LAKEHOUSE_DATA_DIR/<daemon>`, the only place this daemon writes (SPEC §4 "data").
    public var dataDirectory: String { (dataRoot as NSString).appendingPathComponent(daemon.rawValue) }

    public var serverConfiguration: HTTPServerConfiguration {
        HTTPServerConfiguration(
            address: listenAddress, maxBodyBytes: maxBodyBytes, maxConnections: maxConnections,
            requestTimeoutMs: requestTimeoutMs, idleTimeoutMs: idleTimeoutMs, writeTimeoutMs: writeTimeoutMs,
            maxStreamingBodyBytes: maxStreamingBodyBytes
        )
    }
}
