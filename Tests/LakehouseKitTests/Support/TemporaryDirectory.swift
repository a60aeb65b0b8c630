import Foundation

/// A fresh directory under the system temp dir; `cleanup()` removes it.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "lakehouse-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
