import LakehouseKit

/// Forwards a public request to the daemon that owns it, as bytes: no JSON is decoded or re-encoded
/// on the way (the embed hot path depends on that). The request id and content type travel with it.
struct Forwarder: Sendable {
    let table: RouteTable
    let peers: PeerClient
    let timeoutMs: Int

    /// Headers a caller may send that the owning daemon needs; hop-by-hop and auth headers stay here.
    private static let forwardedRequestHeaders = ["Content-Type", "Accept"]
    private static let relayedResponseHeaders = ["Content-Type", "Retry-After", "Allow", "Location"]

    /// Runs on the event loop: the call to the owning daemon uses this loop's own connection pool
    /// and its answer comes back on this loop, so a forwarded request never changes thread.
    func forward(_ request: HTTPRequest, on loop: EventLoop, respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) {
        guard let entry = table.entry(for: request.path) else {
            respond(.failure(APIError.notFound("no route for \(request.method) \(request.path)")))
            return
        }
        var headers = HTTPHeaders()
        for name in Forwarder.forwardedRequestHeaders {
            if let value = request.headers[name] { headers.set(name, value) }
        }
        let target = request.query.isEmpty ? request.path : "\(request.path)?\(request.query)"
        let idempotent = request.method.isIdempotent || (request.method == .POST && entry.readOnlyPost)
        peers.execute(entry.daemon, request.method, target, body: request.body, headers: headers, requestID: request.requestID,
                      idempotent: idempotent, timeoutMs: timeoutMs, streamResponse: entry.streamsResponse, on: loop) { result in
            switch result {
            case .failure(let error):
                respond(.failure(Forwarder.map(error, daemon: entry.daemon)))
            case .success(let response):
                var relayed = HTTPHeaders()
                for name in Forwarder.relayedResponseHeaders {
                    if let value = response.headers[name] { relayed.set(name, value) }
                }
                if let upstream = response.bodyStream {
                    respond(.success(Forwarder.relay(upstream, status: response.status, headers: relayed)))
                } else {
                    respond(.success(HTTPResponse(status: response.status, headers: relayed, body: response.body)))
                }
            }
        }
    }

    /// A streamed answer (server-sent events) goes on to the caller piece by piece, unbuffered. A
    /// caller that leaves drops the upstream connection; an upstream that breaks off mid-body makes
    /// the caller's response end without its last chunk, so the break is never a silent clean end.
    static func relay(_ upstream: RequestBodyStream, status: HTTPStatus, headers: HTTPHeaders) -> HTTPResponse {
        let downstream = ResponseBodyStream()
        var response = HTTPResponse(status: status, headers: headers)
        response.headers.set("Cache-Control", "no-cache")
        response.bodyStream = downstream
        Task {
            do {
                for try await piece in upstream { try await downstream.write(piece) }
                downstream.finish()
            } catch {
                upstream.cancel()
                downstream.abort()
            }
        }
        return response
    }

    /// Peer down → 503 (SPEC §2: the gateway answers for a down daemon with 503 and a clear error);
    /// too slow → 504; nonsense → 502.
    static func map(_ error: HTTPClientError, daemon: Daemon) -> APIError {
        PeerCallError.transport(daemon, error).apiError
    }
}
