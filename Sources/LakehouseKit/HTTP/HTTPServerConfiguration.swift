/// Limits and timeouts of one HTTP server (SPEC §4 "limits").
public struct HTTPServerConfiguration: Sendable {
    public var address: SocketAddress
    public var maxBodyBytes: Int
    /// Body limit of routes that stream their bodies (bulk ingest).
    public var maxStreamingBodyBytes: Int
    public var maxConnections: Int
    /// A request's head and body must arrive within this after its first byte (slow-client cut-off) → 408.
    public var requestTimeoutNs: UInt64
    /// A keep-alive connection with nothing in flight is closed after this.
    public var idleTimeoutNs: UInt64
    /// A response that makes no write progress for this long is abandoned.
    public var writeTimeoutNs: UInt64

    public init(
        address: SocketAddress,
        maxBodyBytes: Int = 32 * 1024 * 1024,
        maxConnections: Int = 4096,
        requestTimeoutMs: Int = 10_000,
        idleTimeoutMs: Int = 60_000,
        writeTimeoutMs: Int = 10_000,
        maxStreamingBodyBytes: Int = 4 << 30
    ) {
        self.address = address
        self.maxBodyBytes = maxBodyBytes
        self.maxStreamingBodyBytes = maxStreamingBodyBytes
        self.maxConnections = maxConnections
        self.requestTimeoutNs = UInt64(requestTimeoutMs) * 1_000_000
        self.idleTimeoutNs = UInt64(idleTimeoutMs) * 1_000_000
        self.writeTimeoutNs = UInt64(writeTimeoutMs) * 1_000_000
    }
}
