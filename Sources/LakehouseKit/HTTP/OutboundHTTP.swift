import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Calls to model providers outside the fleet (Ollama, OpenAI-compatible APIs): plain `http://`
/// goes through the pooled `HTTPClient` (a local Ollama is just another loopback peer); `https://`
/// goes through URLSession, the only TLS stack the toolchain has (SPEC §2).
public struct OutboundHTTP: Sendable {
    public struct Reply: Sendable, Equatable {
        public let status: Int
        public let body: [UInt8]
    }

    public enum Failure: Error, Sendable, Equatable {
        case timedOut
        /// Could not connect (refused, unknown host, TLS handshake).
        case unreachable(String)
        /// Connected, but the exchange failed.
        case failed(String)
    }

    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func post(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) async throws(Failure) -> Reply {
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if url.hasPrefix("http://") {
            var fields = HTTPHeaders()
            for header in headers { fields.set(header.name, header.value) }
            do {
                let response = try await client.send(.POST, url: url, headers: fields, body: body, timeoutMs: max(milliseconds, 1))
                return Reply(status: response.status.code, body: response.body)
            } catch {
                switch error {
                case .timeout: throw .timedOut
                case .connectTimeout, .peerUnavailable: throw .unreachable(error.description)
                case .invalidURL(let text): throw .unreachable("invalid URL '\(text)'")
                case .connectionClosed, .invalidResponse, .shuttingDown: throw .failed(error.description)
                }
            }
        }
        guard url.hasPrefix("https://"), let endpoint = URL(string: url) else { throw .unreachable("unsupported URL '\(url)'") }
        var request = URLRequest(url: endpoint, timeoutInterval: Double(max(milliseconds, 1)) / 1000)
        request.httpMethod = "POST"
        for header in headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        request.httpBody = Data(body)
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return Reply(status: status, body: Array(data))
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw .timedOut
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .secureConnectionFailed,
                 .serverCertificateUntrusted, .networkConnectionLost:
                throw .unreachable(error.localizedDescription)
            case .cancelled: throw .failed("cancelled")
            default: throw .failed(error.localizedDescription)
            }
        } catch {
            throw .failed(String(describing: error))
        }
    }
}
