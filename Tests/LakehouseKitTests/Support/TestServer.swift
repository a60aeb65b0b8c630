import Foundation
@testable import LakehouseKit

/// An HTTPServer on a free loopback port with a small router of test routes.
struct TestServer {
    let server: HTTPServer
    var port: Int { server.port }

    static func start(
        maxBodyBytes: Int = 1 << 20, maxConnections: Int = 4096, requestTimeoutMs: Int = 10_000,
        idleTimeoutMs: Int = 60_000, routes: (inout Router) -> Void = { _ in }
    ) throws -> TestServer {
        var router = Router()
        router.inline(.GET, "/hello") { _ in .text("hello") }
        router.post("/echo") { request in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.get("/slow/{ms}") { request in
            let ms = Int(try request.parameter("ms")) ?? 0
            try await Task.sleep(nanoseconds: UInt64(ms) * 1_000_000)
            return .text("slept \(ms)")
        }
        router.get("/items/{id}") { request in .text("item \(try request.parameter("id"))") }
        routes(&router)
        let configuration = HTTPServerConfiguration(
            address: try SocketAddress(parsing: "127.0.0.1:0"), maxBodyBytes: maxBodyBytes, maxConnections: maxConnections,
            requestTimeoutMs: requestTimeoutMs, idleTimeoutMs: idleTimeoutMs, writeTimeoutMs: 5_000
        )
        let server = HTTPServer(configuration: configuration, dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "test", level: .error)))
        try server.start()
        return TestServer(server: server)
    }

    func stop() async { await server.shutdown(timeoutMs: 1_000) }
}
