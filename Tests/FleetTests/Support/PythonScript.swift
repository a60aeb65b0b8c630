import Foundation

/// Runs a Tests/Python tooling script (the one way the fleet tests call Python) and returns its exit
/// status and output. A missing
/// interpreter or module is a non-zero status with the error, which the tests assert on (a
/// failure, never a skip).
enum PythonScript {
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "\(repositoryRoot)/Tests/Python/\(script)"] + arguments)
        return (result.status, result.stdout, result.stderr)
    }

    /// The events of `runs` generated fill runs, as JSON objects (one per journal event).
    static func generatedEvents(runs: Int, seed: Int) throws -> [[String: Any]] {
        let result = try run("gen_fill_runs.py", ["--runs", String(runs), "--seed", String(seed), "--out", "-"])
        guard result.status == 0 else { throw DistillToolFailure(description: "gen_fill_runs.py: \(result.errors)") }
        return result.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

struct DistillToolFailure: Error, CustomStringConvertible {
    let description: String
}
