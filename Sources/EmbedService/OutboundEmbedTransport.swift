import LakehouseKit

/// The providers' transport in the running daemon: LakehouseKit's outbound HTTP (pooled client for
/// `http://`, URLSession for `https://`).
struct OutboundEmbedTransport: EmbedTransport {
    let outbound: OutboundHTTP

    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) async throws(EmbedTransportError) -> EmbedTransportReply {
        do {
            let reply = try await outbound.post(url: url, headers: headers, body: body, timeout: timeout)
            return EmbedTransportReply(status: reply.status, body: reply.body)
        } catch {
            switch error {
            case .timedOut: throw .timedOut
            case .unreachable(let message): throw .unreachable(message)
            case .failed(let message): throw .failed(message)
            }
        }
    }
}
