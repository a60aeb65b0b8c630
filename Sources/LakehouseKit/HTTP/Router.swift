/// An async handler: decode, call the domain, encode. Runs on Swift's cooperative pool (or, for a
/// route added with `Router.onLoop`, on the connection's event loop), so it may await anything but
/// must not block the thread.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// A handler cheap and non-blocking enough to run on the event-loop thread itself (health, version,
/// metrics): no task hop, no allocation of a continuation. It must never block or take long.
public typealias InlineHTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// A handler that runs on the event-loop thread and answers later through `respond`, which must be
/// called exactly once, on that same loop. For proxies (the gateway forwards through the loop's own
/// client pool without crossing a thread) and for fast paths that answer at once when they can
/// and hop to a task only when they must (`EventLoop.runTask`). It must never block.
public typealias CallbackHTTPHandler = @Sendable (HTTPRequest, EventLoop, _ respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) -> Void

/// A handler that receives its body as it arrives (bulk ingest), instead of after it has all been
/// buffered. `LAKEHOUSE_MAX_STREAM_BODY` bounds such bodies instead of `LAKEHOUSE_MAX_BODY`.
public typealias StreamingHTTPHandler = @Sendable (HTTPRequest, RequestBodyStream) async throws -> HTTPResponse

public enum RouteHandler: Sendable {
    case async(HTTPHandler)
    case inline(InlineHTTPHandler)
    case callback(CallbackHTTPHandler)
    case streaming(StreamingHTTPHandler)
}

/// Method + path pattern → handler. Patterns are `/v1/indexes/{name}/items/{id}`; a final `{rest...}`
/// matches the remaining path (the gateway's prefix forwarding uses it).
public struct Router: Sendable {
    public struct Route: Sendable {
        public let method: HTTPMethod
        /// The pattern as written; it is also the `route` label in metrics (bounded cardinality).
        public let pattern: String
        let segments: [Segment]
        let handler: RouteHandler
        /// An `.async` handler whose task runs on the connection's event loop (`Router.onLoop`).
        let onLoop: Bool
        /// Request counters and histograms of this route, by method and status; cached here so the
        /// hot path does not rebuild label strings per request.
        let metrics = RouteMetrics()
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case remainder(String)
    }

    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private(set) var routes: [Route] = []
    private(set) var hasStreamingRoutes = false
    /// Parameter-free routes by exact path: the common case is one dictionary lookup.
    private var exact: [String: [Route]] = [:]

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: RouteHandler) {
        insert(method, pattern, handler, onLoop: false)
    }

    /// An async handler whose task runs on the event-loop thread of the connection that brought the
    /// request (the loop is its task executor), not on Swift's cooperative pool: its awaits on peers
    /// (through the loop's own client pool), the journal and the answer cost no thread hop and no
    /// wake-up. For handlers that mostly wait on peers and compute little (a composed call, a
    /// validation): whatever it computes between awaits delays the loop's other connections, and it
    /// must never block.
    public mutating func onLoop(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler) {
        insert(method, pattern, .async(handler), onLoop: true)
    }

    private mutating func insert(_ method: HTTPMethod, _ pattern: String, _ handler: RouteHandler, onLoop: Bool) {
        let segments = Router.split(pattern).map { raw -> Segment in
            if raw.hasPrefix("{") && raw.hasSuffix("...}") { return .remainder(String(raw.dropFirst().dropLast(4))) }
            if raw.hasPrefix("{") && raw.hasSuffix("}") { return .parameter(String(raw.dropFirst().dropLast())) }
            return .literal(String(raw))
        }
        let route = Route(method: method, pattern: pattern, segments: segments, handler: handler, onLoop: onLoop)
        routes.append(route)
        if segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            exact[pattern, default: []].append(route)
        }
    }

    public mutating func get(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.GET, pattern, .async(handler)) }
    public mutating func post(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.POST, pattern, .async(handler)) }
    public mutating func put(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.PUT, pattern, .async(handler)) }
    public mutating func delete(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.DELETE, pattern, .async(handler)) }
    public mutating func inline(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping InlineHTTPHandler) {
        add(method, pattern, .inline(handler))
    }
    public mutating func callback(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping CallbackHTTPHandler) {
        add(method, pattern, .callback(handler))
    }
    public mutating func streaming(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping StreamingHTTPHandler) {
        add(method, pattern, .streaming(handler))
        hasStreamingRoutes = true
    }

    /// Whether a request to `path` streams its body (asked by the parser when a head is complete).
    public func streamsBody(_ method: HTTPMethod, path: String) -> Bool {
        guard hasStreamingRoutes, case .found(let route, _) = match(method, path: path) else { return false }
        if case .streaming = route.handler { return true }
        return false
    }

    public func match(_ method: HTTPMethod, path: String) -> Match {
        // HEAD is answered by the GET route with the body dropped (RFC 9110 §9.3.2).
        let lookup = method == .HEAD ? HTTPMethod.GET : method
        if let candidates = exact[path] {
            if let route = candidates.first(where: { $0.method == lookup }) { return .found(route, parameters: [:]) }
        }
        let pathSegments = Router.split(path)
        var allowed: [HTTPMethod] = []
        var best: (Route, [String: String])?
        for route in routes {
            guard let parameters = Router.bind(route.segments, to: pathSegments) else { continue }
            if route.method == lookup {
                if best == nil { best = (route, parameters) }
            } else if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        if let best { return .found(best.0, parameters: best.1) }
        if !allowed.isEmpty {
            if allowed.contains(.GET) { allowed.append(.HEAD) }
            return .methodNotAllowed(allowed)
        }
        return .notFound
    }

    static func split<S: StringProtocol>(_ path: S) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { Substring($0) }
    }

    static func bind(_ segments: [Segment], to path: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .remainder(let name):
                guard index < path.count else { return nil }
                parameters[name] = path[index...].joined(separator: "/")
                return parameters
            case .literal(let literal):
                guard index < path.count, path[index] == literal else { return nil }
            case .parameter(let name):
                guard index < path.count, let value = PercentDecoding.decode(path[index]) else { return nil }
                parameters[name] = value
            }
        }
        return segments.count == path.count ? parameters : nil
    }
}
