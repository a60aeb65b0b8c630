/// What happens to every parsed request, in one place: request id, authentication, routing,
/// the handler (inline or on a task), the error envelope, metrics and the access log.
public final class RequestDispatcher: Sendable {
    public struct Authentication: Sendable {
        /// `LAKEHOUSE_SERVICE_TOKEN`: every call but `/healthz` needs `X-Lakehouse-Token`.
        public var serviceToken: String?
        /// `LAKEHOUSE_API_KEYS` (gateway): every `/v1/*` call needs `Authorization: Bearer <key>`.
        public var apiKeys: Set<String>
        public init(serviceToken: String? = nil, apiKeys: Set<String> = []) {
            self.serviceToken = serviceToken
            self.apiKeys = apiKeys
        }
    }

    public let router: Router
    public let metrics: MetricsRegistry
    public let logger: Logger
    public let authentication: Authentication
    /// Metrics of requests that matched no route (404/405/401).
    private let unmatchedMetrics = RouteMetrics()

    public init(router: Router, metrics: MetricsRegistry, logger: Logger, authentication: Authentication = .init()) {
        self.router = router
        self.metrics = metrics
        self.logger = logger
        self.authentication = authentication
    }

    /// Answers `request`; `completion` is called exactly once, on `loop`'s thread.
    func dispatch(_ incoming: HTTPRequest, on loop: EventLoop, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let (admitted, started) = admit(incoming, completion: completion) else { return }
        var request = admitted
        switch router.match(request.method, path: request.path) {
        case .notFound:
            let error = APIError.notFound("no route for \(request.method) \(request.path)")
            completion(finish(.error(error, requestID: request.requestID), request: request, route: "unmatched", metrics: unmatchedMetrics, started: started))
        case .methodNotAllowed(let allowed):
            let error = APIError.methodNotAllowed(request.method, allowed: allowed)
            completion(finish(.error(error, requestID: request.requestID), request: request, route: "unmatched", metrics: unmatchedMetrics, started: started))
        case .found(let route, let parameters):
            request.pathParameters = parameters
            switch route.handler {
            case .inline(let handler):
                let response: HTTPResponse
                do {
                    response = try handler(request)
                } catch {
                    response = errorResponse(error, request: request, route: route.pattern)
                }
                completion(finish(response, request: request, route: route.pattern, metrics: route.metrics, started: started))
            case .callback(let handler):
                let frozen = request
                handler(frozen, loop) { result in
                    let response: HTTPResponse
                    switch result {
                    case .success(let answer): response = answer
                    case .failure(let error): response = self.errorResponse(error, request: frozen, route: route.pattern)
                    }
                    completion(self.finish(response, request: frozen, route: route.pattern, metrics: route.metrics, started: started))
                }
            case .streaming(let handler):
                // A bodiless request to a streaming route: its stream is simply empty.
                let body = RequestBodyStream(bytes: request.body)
                runOnTask(request, route: route, started: started, loop: loop, completion: completion) { try await handler($0, body) }
            case .async(let handler):
                runOnTask(request, route: route, started: started, loop: loop, completion: completion) { try await handler($0) }
            }
        }
    }

    /// Answers a request whose body streams in through `body` while the handler runs.
    func dispatchStreaming(_ incoming: HTTPRequest, body: RequestBodyStream, on loop: EventLoop, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let (admitted, started) = admit(incoming, completion: completion) else { return }
        var request = admitted
        guard case .found(let route, let parameters) = router.match(request.method, path: request.path), case .streaming(let handler) = route.handler else {
            let error = APIError.notFound("no route for \(request.method) \(request.path)")
            completion(finish(.error(error, requestID: request.requestID), request: request, route: "unmatched", metrics: unmatchedMetrics, started: started))
            return
        }
        request.pathParameters = parameters
        runOnTask(request, route: route, started: started, loop: loop, completion: completion) { try await handler($0, body) }
    }

    /// Runs a handler on Swift's cooperative pool and delivers its (error-mapped, counted) response
    /// back on the connection's loop.
    private func runOnTask(_ request: HTTPRequest, route: Router.Route, started: UInt64, loop: EventLoop,
                           completion: @escaping @Sendable (HTTPResponse) -> Void,
                           handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        let run: @Sendable () async -> Void = {
            let response: HTTPResponse
            do {
                response = try await handler(request)
            } catch {
                response = self.errorResponse(error, request: request, route: route.pattern)
            }
            let finished = self.finish(response, request: request, route: route.pattern, metrics: route.metrics, started: started)
            if loop.inLoop {
                completion(finished)
            } else {
                loop.execute { completion(finished) }
            }
        }
        if route.onLoop {
            Task(executorPreference: loop, operation: run)
        } else {
            Task(operation: run)
        }
    }

    /// What every request goes through first: its request id (the caller's, or a new one), the
    /// start of its latency measurement, and authentication. Nil when it was answered (401) here.
    private func admit(_ incoming: HTTPRequest, completion: @Sendable (HTTPResponse) -> Void) -> (HTTPRequest, UInt64)? {
        var request = incoming
        request.requestID = RequestID.accept(request.headers[RequestID.header]) ?? RequestID.make()
        let started = MonotonicClock.nanoseconds()
        if let failure = authenticate(request) {
            completion(finish(.error(failure, requestID: request.requestID), request: request, route: "unauthenticated", metrics: unmatchedMetrics, started: started))
            return nil
        }
        return (request, started)
    }

    private func authenticate(_ request: HTTPRequest) -> APIError? {
        if let token = authentication.serviceToken, request.path != "/healthz" {
            guard let presented = request.headers["X-Lakehouse-Token"], constantTimeEquals(presented, token) else {
                return .unauthorized("missing or wrong X-Lakehouse-Token")
            }
        }
        if !authentication.apiKeys.isEmpty, request.path.hasPrefix("/v1/") {
            guard let header = request.headers["Authorization"], header.hasPrefix("Bearer "),
                authentication.apiKeys.contains(where: { constantTimeEquals(String(header.dropFirst(7)), $0) })
            else {
                var error = APIError.unauthorized("missing or invalid API key (Authorization: Bearer <key>)")
                error.headers = [("WWW-Authenticate", "Bearer")]
                return error
            }
        }
        return nil
    }

    private func errorResponse(_ error: any Error, request: HTTPRequest, route: String) -> HTTPResponse {
        if let apiError = error as? APIError {
            if apiError.status.code >= 500 {
                logger.error(apiError.message, requestID: request.requestID, [("route", route), ("status", String(apiError.status.code))])
            }
            return .error(apiError, requestID: request.requestID)
        }
        // Anything not mapped to an APIError is our bug, not the caller's: log it in full, answer 500.
        logger.error("unhandled error: \(error)", requestID: request.requestID, [("route", route)])
        return .error(.internal("internal error; see the daemon log for request \(request.requestID)"), requestID: request.requestID)
    }

    private func finish(_ response: HTTPResponse, request: HTTPRequest, route: String, metrics routeMetrics: RouteMetrics, started: UInt64) -> HTTPResponse {
        var response = response
        response.headers.set(RequestID.header, request.requestID)
        let seconds = Double(MonotonicClock.nanoseconds() &- started) / 1e9
        routeMetrics.observe(route: route, method: request.method, status: response.status.code, seconds: seconds, registry: metrics)
        if logger.minimumLevel <= .debug {
            logger.debug("request", requestID: request.requestID, [("method", request.method.description), ("path", request.path), ("status", String(response.status.code)), ("ms", String(seconds * 1000))])
        }
        return response
    }

    /// Protocol-level failures (400/408/413/431...) never reach a route; they are still counted.
    func countProtocolFailure(_ status: HTTPStatus) {
        metrics.counter("lakehouse_http_requests_total", help: "HTTP requests answered, by route pattern, method and status.", labels: [("route", "protocol_error"), ("method", "-"), ("status", String(status.code))]).increment()
    }
}

/// Compares secrets without an early exit, so response timing does not reveal a matching prefix.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return difference == 0
}
