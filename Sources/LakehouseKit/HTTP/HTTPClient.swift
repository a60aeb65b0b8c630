import Synchronization

/// HTTP/1.1 client for daemon-to-daemon calls over loopback: keep-alive connection pools per peer on
/// the process's event loops, connect and request timeouts, typed errors, and one retry on a fresh
/// connection for idempotent requests only. (Outbound HTTPS to cloud providers uses URLSession.)
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeoutMs: Int
        public var requestTimeoutMs: Int
        /// Per peer, spread over the event loops.
        public var maxConnectionsPerPeer: Int
        public var maxResponseBytes: Int
        /// Idle pooled connections are closed after this; below the servers' idle timeout, so we close first.
        public var idleTimeoutMs: Int

        public init(connectTimeoutMs: Int = 1_000, requestTimeoutMs: Int = 30_000, maxConnectionsPerPeer: Int = 64,
                    maxResponseBytes: Int = 256 * 1024 * 1024, idleTimeoutMs: Int = 30_000) {
            self.connectTimeoutMs = connectTimeoutMs
            self.requestTimeoutMs = requestTimeoutMs
            self.maxConnectionsPerPeer = maxConnectionsPerPeer
            self.maxResponseBytes = maxResponseBytes
            self.idleTimeoutMs = idleTimeoutMs
        }
    }

    public let configuration: Configuration
    let group: EventLoopGroup
    private let pools = Mutex<[SocketAddress: [PeerPool]]>([:])
    private let nextPool = Atomic<Int>(0)

    public init(group: EventLoopGroup = .shared, configuration: Configuration = .init()) {
        self.group = group
        self.configuration = configuration
    }

    /// Sends `request` to `peer` and returns its response, whatever its status.
    public func send(_ request: HTTPClientRequest, to peer: SocketAddress, timeoutMs: Int? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        let timeout = timeoutMs ?? configuration.requestTimeoutMs
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
            let pending = PendingRequest(request: request, timeoutMs: timeout) { continuation.resume(returning: $0) }
            if let here = group.current {
                // A task running on one of our loops (`Router.onLoop`): that loop's pool, no hop.
                poolsByLoop(for: peer)[here.index].enqueue(pending)
            } else {
                let pool = self.pool(for: peer)
                pool.loop.execute { pool.enqueue(pending) }
            }
        }
        return try result.get()
    }

    /// Loop-bound call for proxies and other event-loop code: call it on `loop`'s thread; the
    /// request uses that loop's pool and `completion` runs on that loop, so no thread is crossed.
    public func execute(_ request: HTTPClientRequest, to peer: SocketAddress, on loop: EventLoop, timeoutMs: Int? = nil,
                        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        let timeout = timeoutMs ?? configuration.requestTimeoutMs
        let pools = poolsByLoop(for: peer)
        if loop.index < pools.count, pools[loop.index].loop === loop {
            pools[loop.index].enqueue(PendingRequest(request: request, timeoutMs: timeout, completion: completion))
            return
        }
        // A loop of another group: hop to one of ours, and deliver the result back on the caller's loop.
        let pool = self.pool(for: peer)
        let pending = PendingRequest(request: request, timeoutMs: timeout) { result in loop.execute { completion(result) } }
        pool.loop.execute { pool.enqueue(pending) }
    }

    /// `http://host:port/path` convenience. Only plain HTTP to numeric hosts or localhost.
    public func send(_ method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [], timeoutMs: Int? = nil, idempotent: Bool? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        let (peer, target) = try HTTPClient.split(url: url)
        return try await send(HTTPClientRequest(method: method, target: target, headers: headers, body: body, idempotent: idempotent), to: peer, timeoutMs: timeoutMs)
    }

    static func split(url: String) throws(HTTPClientError) -> (SocketAddress, String) {
        guard url.hasPrefix("http://") else { throw .invalidURL(url) }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<slash])
        if !authority.contains("]:") && !(authority.split(separator: ":").count == 2) { authority += ":80" }
        guard let peer = try? SocketAddress(parsing: authority) else { throw .invalidURL(url) }
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        return (peer, target)
    }

    private func pool(for peer: SocketAddress) -> PeerPool {
        let perLoop = poolsByLoop(for: peer)
        let index = nextPool.wrappingAdd(1, ordering: .relaxed).oldValue
        return perLoop[index % perLoop.count]
    }

    /// One pool per event loop for `peer`, in loop order.
    private func poolsByLoop(for peer: SocketAddress) -> [PeerPool] {
        pools.withLock { pools -> [PeerPool] in
            if let existing = pools[peer] { return existing }
            let limit = max(1, configuration.maxConnectionsPerPeer / group.loops.count)
            let created = group.loops.map { PeerPool(peer: peer, loop: $0, maxConnections: limit, configuration: configuration) }
            for pool in created { pool.loop.execute { pool.start() } }
            pools[peer] = created
            return created
        }
    }
}

/// A request waiting for, or on, a connection. Completed exactly once, on its pool's loop.
final class PendingRequest: @unchecked Sendable {
    let request: HTTPClientRequest
    let timeoutMs: Int
    let deadline: UInt64
    var attempts = 0
    private var completion: (@Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void)?

    init(request: HTTPClientRequest, timeoutMs: Int, completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        self.request = request
        self.timeoutMs = timeoutMs
        self.deadline = MonotonicClock.nanoseconds() + UInt64(max(timeoutMs, 1)) * 1_000_000
        self.completion = completion
    }

    var isCompleted: Bool { completion == nil }

    func complete(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }
}

/// Connections to one peer owned by one event loop; touched only on that loop's thread.
final class PeerPool: @unchecked Sendable {
    let peer: SocketAddress
    let loop: EventLoop
    let maxConnections: Int
    let configuration: HTTPClient.Configuration
    private var idle: [ClientConnection] = []
    private var all: [ObjectIdentifier: ClientConnection] = [:]
    private var waiting: [PendingRequest] = []
    private var waitingHead = 0

    init(peer: SocketAddress, loop: EventLoop, maxConnections: Int, configuration: HTTPClient.Configuration) {
        self.peer = peer
        self.loop = loop
        self.maxConnections = maxConnections
        self.configuration = configuration
    }

    func start() {
        loop.addTickHandler(self) { [weak self] now in self?.tick(now: now) }
    }

    func enqueue(_ pending: PendingRequest) {
        pending.attempts += 1
        // Most recently used first: it is the one least likely to have been closed by the peer.
        while let connection = idle.popLast() {
            if connection.isUsable {
                connection.send(pending)
                return
            }
            connection.close()
        }
        if all.count < maxConnections {
            open(with: pending)
        } else {
            waiting.append(pending)
        }
    }

    private func open(with pending: PendingRequest) {
        let fd: Int32
        do {
            fd = try Socket.startConnect(to: peer)
        } catch {
            pending.complete(.failure(.peerUnavailable(peer: peer.description, reason: error.description)))
            return
        }
        let connection = ClientConnection(fd: fd, pool: self, pending: pending)
        all[ObjectIdentifier(connection)] = connection
        loop.register(fd: fd, handler: connection, events: EventLoop.connectionEvents)
    }

    /// A connection finished its exchange and can take the next request.
    func connectionIsIdle(_ connection: ClientConnection) {
        if let next = takeWaiting() {
            next.attempts += 1
            connection.send(next)
        } else {
            idle.append(connection)
        }
    }

    /// A connection closed; a waiting request gets a new one.
    func connectionClosed(_ connection: ClientConnection) {
        all[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        if let next = takeWaiting() {
            open(with: next)
        }
    }

    /// A connection-level failure of `pending`: one retry on a fresh connection when that is safe.
    func failed(_ pending: PendingRequest, with error: HTTPClientError, nothingReceived: Bool) {
        if pending.request.idempotent && nothingReceived && pending.attempts < 2 && MonotonicClock.nanoseconds() < pending.deadline {
            enqueue(pending)
        } else {
            pending.complete(.failure(error))
        }
    }

    private func takeWaiting() -> PendingRequest? {
        while waitingHead < waiting.count {
            let next = waiting[waitingHead]
            waitingHead += 1
            if waitingHead == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                waitingHead = 0
            }
            if !next.isCompleted { return next }
        }
        return nil
    }

    private func tick(now: UInt64) {
        for connection in Array(all.values) { connection.checkTimeouts(now: now) }
        for index in waitingHead..<waiting.count where !waiting[index].isCompleted && now > waiting[index].deadline {
            waiting[index].complete(.failure(.timeout(peer: peer.description, milliseconds: waiting[index].timeoutMs)))
        }
        let idleLimit = UInt64(configuration.idleTimeoutMs) * 1_000_000
        for connection in idle where now &- connection.lastUsed > idleLimit { connection.close() }
    }
}
