import Foundation

/// Staged replacements (`<file>.tmp-<pid>-<n>`) that a killed process never committed are garbage:
/// the target file is intact. Removed at start.
public enum ArtifactCleanup {
    public static func removeStaleTemporaries(in directories: [String]) {
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names where name.contains(".tmp-") {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
    }
}
