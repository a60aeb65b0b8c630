import Synchronization

/// The per-route request metrics, created in the registry on first use of each (method, status).
final class RouteMetrics: Sendable {
    struct Key: Hashable {
        let method: HTTPMethod
        let status: Int
    }

    private let cache = Mutex<[Key: (Counter, Histogram)]>([:])

    func observe(route: String, method: HTTPMethod, status: Int, seconds: Double, registry: MetricsRegistry) {
        let key = Key(method: method, status: status)
        let pair = cache.withLock { cache in
            if let existing = cache[key] { return existing }
            let labels = [("route", route), ("method", method.description), ("status", String(status))]
            let created = (
                registry.counter("lakehouse_http_requests_total", help: "HTTP requests answered, by route pattern, method and status.", labels: labels),
                registry.histogram("lakehouse_http_request_duration_seconds", help: "Time from parsed request to response, by route pattern, method and status.", labels: labels)
            )
            cache[key] = created
            return created
        }
        pair.0.increment()
        pair.1.observe(seconds)
    }
}
