import Foundation
import LakehouseKit

/// Which roster file validatord serves, kept across restarts: an acknowledged
/// `POST /v1/roster/reload {"path"}` survives kill -9. Stored as
/// `$LAKEHOUSE_DATA_DIR/validatord/roster.json` `{"configured","path"}` and replaced atomically.
/// It applies only while `VALIDATORD_ROSTER` still names the file it was recorded under: an
/// operator who changes the configuration gets the configured file.
public struct RosterChoice: Sendable {
    let file: String
    let configuredPath: String

    struct Record: Codable {
        let configured: String
        let path: String
    }

    public init(directory: String, configuredPath: String) {
        file = (directory as NSString).appendingPathComponent("roster.json")
        self.configuredPath = configuredPath
    }

    /// The path to load at start: the recorded choice when it still applies, else the configured one.
    public func pathToLoad() -> String {
        guard let bytes = FileManager.default.contents(atPath: file),
              let record = try? JSONCoding.decode(Record.self, from: Array(bytes)),
              record.configured == configuredPath else { return configuredPath }
        return record.path
    }

    public func record(_ path: String) throws(ValidatorError) {
        do {
            try DurableFile.createDirectory(DurableFile.parentDirectory(of: file))
            try DurableFile.atomicReplace(path: file, bytes: try JSONCoding.encode(Record(configured: configuredPath, path: path)))
        } catch {
            throw ValidatorError(.storage, "cannot record the roster choice in \(file): \(error)")
        }
    }
}
