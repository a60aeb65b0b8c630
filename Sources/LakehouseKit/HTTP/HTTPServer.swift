import CEpoll
import Glibc
import Synchronization

/// HTTP/1.1 server on the process's event loops. Every loop watches the listening socket
/// (EPOLLEXCLUSIVE, so one loop wakes per burst) and owns the connections it accepts.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let dispatcher: RequestDispatcher
    let group: EventLoopGroup
    let openConnections = Atomic<Int>(0)
    let inFlightRequests = Atomic<Int>(0)
    private let listenerFD = Atomic<Int32>(-1)
    private let boundPortStorage = Atomic<Int>(0)
    private let connectionsByLoop: [LoopConnections]

    public init(configuration: HTTPServerConfiguration, dispatcher: RequestDispatcher, group: EventLoopGroup = .shared) {
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.group = group
        connectionsByLoop = group.loops.map { LoopConnections(loop: $0) }
    }

    /// The port actually bound (meaningful after `start`, and the way tests learn a `:0` port).
    public var port: Int { boundPortStorage.load(ordering: .acquiring) }
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Binds and starts accepting. Throws when the address cannot be bound (port taken, bad address).
    public func start() throws(SystemError) {
        let (fd, port) = try Socket.listen(on: configuration.address)
        listenerFD.store(fd, ordering: .releasing)
        boundPortStorage.store(port, ordering: .releasing)
        for connections in connectionsByLoop {
            let loop = connections.loop
            loop.execute { [self] in
                let listener = ListenerHandler(fd: fd, server: self, connections: connections)
                loop.register(fd: fd, handler: listener, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
                loop.addTickHandler(connections) { now in connections.tick(now: now) }
            }
        }
    }

    /// Graceful drain: stop accepting, close idle connections, let in-flight requests finish (their
    /// responses carry `Connection: close`), and return once none is left or `timeoutMs` has passed.
    public func shutdown(timeoutMs: Int = 10_000) async {
        let fd = listenerFD.exchange(-1, ordering: .acquiringAndReleasing)
        guard fd >= 0 else { return }
        // Every loop must have deregistered the listener before it is closed: a descriptor number
        // closed early can be reused by a new socket, which a late deregister would then silence.
        for connections in connectionsByLoop {
            await connections.loop.run {
                connections.loop.deregister(fd: fd)
                connections.beginDrain()
            }
        }
        let deadline = MonotonicClock.nanoseconds() + UInt64(max(timeoutMs, 0)) * 1_000_000
        while openConnections.load(ordering: .acquiring) > 0 && MonotonicClock.nanoseconds() < deadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        for connections in connectionsByLoop {
            await connections.loop.run {
                connections.closeAll()
                connections.loop.removeTickHandler(connections)
            }
        }
        close(fd)
    }
}

/// The connections one loop owns; touched only on that loop's thread.
final class LoopConnections: @unchecked Sendable {
    let loop: EventLoop
    var connections: [ObjectIdentifier: ServerConnection] = [:]
    var draining = false
    private var dateCacheSecond = -1
    private(set) var dateHeader = ""

    init(loop: EventLoop) { self.loop = loop }

    func add(_ connection: ServerConnection) { connections[ObjectIdentifier(connection)] = connection }
    func remove(_ connection: ServerConnection) { connections[ObjectIdentifier(connection)] = nil }

    func tick(now: UInt64) {
        for connection in Array(connections.values) { connection.checkTimeouts(now: now) }
    }

    func beginDrain() {
        draining = true
        for connection in Array(connections.values) { connection.drain() }
    }

    func closeAll() {
        for connection in Array(connections.values) { connection.close() }
    }

    /// `Date` header value (RFC 9110 §6.6.1), formatted at most once a second per loop.
    func currentDate() -> String {
        var now = time(nil)
        if Int(now) != dateCacheSecond {
            dateCacheSecond = Int(now)
            var parts = tm()
            gmtime_r(&now, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, 64, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            dateHeader = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return dateHeader
    }
}

/// Accepts connections on one loop. Level-triggered with EPOLLEXCLUSIVE: accept a bounded batch per
/// wake-up so one loop cannot starve its own connections under a connection storm.
final class ListenerHandler: EventLoopHandler {
    let fd: Int32
    let server: HTTPServer
    let connections: LoopConnections

    init(fd: Int32, server: HTTPServer, connections: LoopConnections) {
        self.fd = fd
        self.server = server
        self.connections = connections
    }

    func handleEvents(_ events: UInt32) {
        for _ in 0..<64 {
            guard let client = Socket.accept(fd) else { return }
            if connections.draining {
                Glibc.close(client)
                continue
            }
            let open = server.openConnections.add(1, ordering: .relaxed).newValue
            if open > server.configuration.maxConnections {
                server.openConnections.subtract(1, ordering: .relaxed)
                ServerConnection.refuseOverCapacity(client)
                continue
            }
            let connection = ServerConnection(fd: client, server: server, owner: connections)
            connections.add(connection)
            connections.loop.register(fd: client, handler: connection, events: EventLoop.connectionEvents)
        }
    }
}
