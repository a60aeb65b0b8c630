import Foundation
import LakehouseKit

/// `lakehouse fill "SENTENCE" [--count N] [--provider P] [--max-attempts N] [--json] [--gateway URL]`:
/// the main job from a terminal, through the gateway (`--gateway`, else `LAKEHOUSE_GATEWAY_ADDR`;
/// `LAKEHOUSE_API_KEY` is sent as the bearer key). Prints the candidates, the e-mail, the attempts and
/// what was corrected. Exit status: 0 a valid fill, 1 a fill that could not be made valid or a refused
/// call, 2 usage, 3 fleet unreachable.
struct FillSubcommand {
    static let usage = """
        usage: lakehouse fill "SENTENCE" [--count N] [--provider P] [--max-attempts N] [--json] [--gateway URL]
        runs the main job through the gateway and prints the candidates with their reasons, the e-mail, each
        attempt with the violations that were corrected, and the run id (--json: the gateway's answer as is).
        Exit 1: the fill could not be made valid, or the gateway refused it (the envelope's words on stderr).
        """

    var command: LakehouseKit.FillCommand
    var call = GatewayCall()

    init(arguments: [String]) throws {
        var options = CLIOptions(arguments)
        var count: Int?
        var provider: String?
        var maxAttempts: Int?
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--provider": provider = try options.value(flag)
            case "--max-attempts": maxAttempts = try options.positiveInt(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.count == 1 else { throw CLIOptions.UsageError(description: Self.usage) }
        command = LakehouseKit.FillCommand(query: options.positional[0], count: count, provider: provider, maxAttempts: maxAttempts)
    }

    /// Runs the fill; returns whether it was valid.
    func run() async throws -> Bool {
        let (_, raw) = try await call.send(.POST, "/v1/fill", body: try JSONCoding.encode(command))
        guard let answer = try? JSONDecoder().decode(FillAnswer.self, from: Data(raw)) else {
            throw GatewayCall.Failed(description: "the gateway's answer to POST /v1/fill is not a fill answer: \(String(decoding: raw.prefix(300), as: UTF8.self))")
        }
        call.emit(raw, [Self.render(answer)])
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
