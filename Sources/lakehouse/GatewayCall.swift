import Foundation
import LakehouseKit

/// What every operator command that talks to the fleet shares: `--gateway URL` (else
/// `LAKEHOUSE_GATEWAY_ADDR`), `--json`, `--help`, the bearer key from `LAKEHOUSE_API_KEY`, and the
/// exit codes: 0 ok, 1 failed check or refused call, 2 usage, 3 unreachable.
struct GatewayCall {
    struct Unreachable: Error, CustomStringConvertible { let description: String }
    /// A check that ran and failed, or a call the fleet refused (4xx): exit 1.
    struct Failed: Error, CustomStringConvertible { let description: String }
    /// `--help` was asked for: print the text, exit 0.
    struct Help: Error, CustomStringConvertible { let description: String }

    var gateway: SocketAddress?
    var json = false

    /// Takes the shared flags; returns false for a flag that is not one of them.
    mutating func take(_ flag: String, _ options: inout CLIOptions, usage: String) throws -> Bool {
        switch flag {
        case "--json": json = true
        case "--gateway": gateway = try Self.parseGateway(try options.value(flag))
        case "--help", "-h": throw Help(description: usage)
        default: return false
        }
        return true
    }

    /// A command that takes only the shared flags: the call and the positional arguments.
    static func parse(_ arguments: [String], usage: String) throws -> (call: GatewayCall, positional: [String]) {
        var options = CLIOptions(arguments)
        var call = GatewayCall()
        while let flag = options.next() {
            if try call.take(flag, &options, usage: usage) { continue }
            throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(usage)")
        }
        return (call, options.positional)
    }

    /// `http://127.0.0.1:4200`, `127.0.0.1:4200/` or `localhost:4200`.
    static func parseGateway(_ text: String) throws -> SocketAddress {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        do { return try SocketAddress(parsing: String(rest)) } catch {
            throw CLIOptions.UsageError(description: "--gateway: \(error) (https is not supported; use http://HOST:PORT)")
        }
    }

    /// Sends one call to the gateway; answers the decoded JSON of a 2xx. Not reachable, 502, 503
    /// and 504 are `Unreachable`; any other non-2xx is `Failed` with the envelope's words.
    func send(_ method: HTTPMethod, _ target: String, body: [UInt8] = [], timeoutMs: Int = 120_000) async throws -> (value: JSONValue, raw: [UInt8]) {
        let client = HTTPClient(configuration: .init(connectTimeoutMs: 2_000, requestTimeoutMs: timeoutMs))
        let response = try await exchange(method, target, body: body, client: client)
        guard let value = try? JSONCoding.decode(JSONValue.self, from: response.body) else {
            throw Failed(description: "the answer to \(method) \(target) is not JSON")
        }
        return (value, response.body)
    }

    /// Where a call meant for `daemon` goes: the gateway when `--gateway` was given (it routes every
    /// public `/v1/*` path to its owner), else the daemon's own `LAKEHOUSE_<DAEMON>_ADDR`.
    func address(of daemon: Daemon) throws -> SocketAddress {
        if let gateway { return gateway }
        return try CLIOptions.address(daemon)
    }

    /// JSON content type, the service token (`LAKEHOUSE_SERVICE_TOKEN`) and the bearer key (`LAKEHOUSE_API_KEY`).
    static func headers() -> HTTPHeaders {
        var headers = CLIOptions.headers()
        if let key = ProcessInfo.processInfo.environment["LAKEHOUSE_API_KEY"], !key.isEmpty { headers.set("Authorization", "Bearer \(key)") }
        return headers
    }

    /// One call meant for `daemon` (see `address(of:)`); answers a 2xx response. Not reachable,
    /// 502, 503 and 504 are `Unreachable`; any other non-2xx is `Failed` with the envelope's words.
    func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8] = [], for daemon: Daemon = .gateway, client: HTTPClient) async throws -> HTTPClientResponse {
        let address = try address(of: daemon)
        let response: HTTPClientResponse
        do {
            response = try await client.send(HTTPClientRequest(method: method, target: target, headers: Self.headers(), body: body), to: address)
        } catch {
            throw Unreachable(description: "\(gateway == nil ? daemon.rawValue : "the gateway") at \(address) is not reachable: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(response.body))
            let message = envelope.map { "\($0.error.code): \($0.error.message)" } ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            if [502, 503, 504].contains(response.status.code) { throw Unreachable(description: "\(method) \(target): \(response.status.code) \(message)") }
            throw Failed(description: "\(method) \(target): \(response.status.code) \(message)")
        }
        return response
    }

    /// `--json`: the answer as it came; otherwise the human lines.
    func emit(_ raw: [UInt8], _ lines: @autoclosure () -> [String]) {
        print(json ? String(decoding: raw, as: UTF8.self) : lines().joined(separator: "\n"))
    }

    static func encode(_ value: JSONValue) -> [UInt8] { (try? JSONCoding.encode(value)) ?? [] }

    /// Percent-encodes a query value.
    static func query(_ pairs: [(String, String?)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let items = pairs.compactMap { name, value in value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" } }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }

    /// Runs a command body and turns its outcome into the exit status, with one line on stderr.
    static func exitCode(_ name: String, _ body: () async throws -> Bool) async -> Int32 {
        do {
            return try await body() ? 0 : 1
        } catch let help as Help {
            print(help.description)
            return 0
        } catch let error as CLIOptions.UsageError {
            FileHandle.standardError.write(Data("lakehouse \(name): \(error)\n".utf8))
            return 2
        } catch let error as Unreachable {
            FileHandle.standardError.write(Data("lakehouse \(name): \(error)\n".utf8))
            return 3
        } catch {
            FileHandle.standardError.write(Data("lakehouse \(name): \(error)\n".utf8))
            return 1
        }
    }
}

extension JSONValue {
    /// A short text for a table cell.
    var cell: String {
        switch self {
        case .null: "-"
        case .bool(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
        case .string(let value): value
        case .array, .object: String(decoding: (try? JSONCoding.encode(self)) ?? [], as: UTF8.self)
        }
    }
}
