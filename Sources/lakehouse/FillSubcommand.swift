import Foundation
import LakehouseKit

/// `lakehouse fill "SENTENCE" [--count N] [--provider P] [--max-attempts N] [--json]`: the main
/// job from a terminal, through the gateway (`LAKEHOUSE_GATEWAY_ADDR`; `LAKEHOUSE_API_KEY` is sent
/// as the bearer key). Prints the candidates, the e-mail, the attempts and what was corrected.
/// Exit status: 0 a valid fill, 1 a fill that could not be made valid, 2 usage, 3 fleet unreachable.
struct FillSubcommand {
    static let usage = "usage: lakehouse fill \"SENTENCE\" [--count N] [--provider P] [--max-attempts N] [--json]"

    var command: LakehouseKit.FillCommand
    var json = false

    struct Unreachable: Error, CustomStringConvertible { let description: String }
    struct Refused: Error, CustomStringConvertible { let description: String }

    init(arguments: [String]) throws {
        var options = CLIOptions(arguments)
        var count: Int?
        var provider: String?
        var maxAttempts: Int?
        while let flag = options.next() {
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--provider": provider = try options.value(flag)
            case "--max-attempts": maxAttempts = try options.positiveInt(flag)
            case "--json": json = true
            case "--help", "-h": throw GatewayCall.Help(description: Self.usage)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag); \(Self.usage)")
            }
        }
        guard options.positional.count == 1 else { throw CLIOptions.UsageError(description: Self.usage) }
        command = LakehouseKit.FillCommand(query: options.positional[0], count: count, provider: provider, maxAttempts: maxAttempts)
    }

    /// Runs the fill; returns whether it was valid.
    func run() async throws -> Bool {
        var headers = CLIOptions.headers()
        if let key = ProcessInfo.processInfo.environment["LAKEHOUSE_API_KEY"], !key.isEmpty { headers.set("Authorization", "Bearer \(key)") }
        let client = HTTPClient(configuration: .init(connectTimeoutMs: 2_000, requestTimeoutMs: 120_000))
        let response: HTTPClientResponse
        do {
            response = try await client.send(HTTPClientRequest(method: .POST, target: "/v1/fill", headers: headers, body: try JSONCoding.encode(command)),
                                              to: try CLIOptions.address(.gateway))
        } catch {
            throw Unreachable(description: "the gateway is not reachable: \(error)")
        }
        guard response.status == .ok else {
            let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(response.body))
            let message = envelope.map { "\($0.error.code): \($0.error.message)" } ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            if response.status.code == 503 || response.status.code == 504 { throw Unreachable(description: "\(response.status.code) \(message)") }
            throw Refused(description: "\(response.status.code) \(message)")
        }
        let answer = try JSONDecoder().decode(FillAnswer.self, from: Data(response.body))
        if json {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            print(Self.render(answer))
        }
        return answer.valid
    }

    static func render(_ answer: FillAnswer) -> String {
        let request = answer.request
        var lines: [String] = []
        let corrected = answer.corrected.isEmpty ? "" : " (corrected: \(answer.corrected.joined(separator: ", ")))"
        let attempts = "\(answer.attempts.count) attempt\(answer.attempts.count == 1 ? "" : "s")"
        lines.append("run \(answer.runID): \(answer.valid ? "valid" : "NOT valid") after \(attempts)\(corrected), \(String(format: "%.1f", answer.timingsMs["total"] ?? 0)) ms")
        let place = [request.city, request.state].compactMap { $0 }.joined(separator: ", ")
        let when = [request.day, request.shift.map { "\($0) shift" }].compactMap { $0 }.joined(separator: ", ")
        lines.append("request: \(request.count) × \(request.role ?? "?")\(place.isEmpty ? "" : " in \(place)")\(when.isEmpty ? "" : ", \(when)")")
        lines.append("candidates:")
        for candidate in answer.fill?.candidates ?? [] {
            lines.append("  \(candidate.workerID)  \(candidate.name) — \(candidate.reason)")
        }
        if let email = answer.email {
            lines.append("e-mail:")
            lines.append("  Subject: \(email.subject)")
            for line in email.body.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("  \(line)") }
        }
        lines.append("attempts:")
        for attempt in answer.attempts {
            let errors = attempt.violations.map { "\($0.rule) (\($0.severity.rawValue)) at \($0.path)" }
            lines.append("  \(attempt.attempt). \(attempt.valid ? "passed" : "failed") [\(attempt.provider)]\(errors.isEmpty ? "" : ": " + errors.joined(separator: "; "))")
        }
        for violation in answer.violations where !answer.valid || violation.severity == .warning {
            lines.append("still: \(violation.rule) at \(violation.path): \(violation.message)")
        }
        return lines.joined(separator: "\n")
    }
}
