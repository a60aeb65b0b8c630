import Foundation

/// Runs a test-tooling script of Tests/Python with `python3`, feeding `input` on stdin. A missing
/// interpreter or module is a failure (thrown), never a skip.
enum PythonTool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository root, found from this file's path (Tests/JournalServiceTests/Support/…).
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static func run(_ script: String, arguments: [String] = [], input: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(repositoryRoot)/Tests/Python/\(script)"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 \(script) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: "\(PythonTool.repositoryRoot)/Tests/Fixtures/merkle/\(name)"))
}
