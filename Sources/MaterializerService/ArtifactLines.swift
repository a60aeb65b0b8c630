import Foundation
import LakehouseKit

/// Reading run ids out of the artifact lines materializerd itself writes, without decoding them.
enum ArtifactLines {
    static let key = Array("\"run_id\":\"".utf8)

    /// The top-level `run_id` of an evidence, scored or quarantine line. Keys are written sorted and
    /// nested objects that might carry a `run_id` key (a model's raw output inside `attempts`) sort
    /// before it, and inside JSON strings every quote is escaped, so the last unescaped
    /// `"run_id":"` is the record's own.
    static func runID(_ line: ArraySlice<UInt8>) -> String? {
        guard line.count > key.count else { return nil }
        var index = line.endIndex - key.count
        while index >= line.startIndex {
            if line[index] == UInt8(ascii: "\""), line[index..<(index + key.count)].elementsEqual(key) {
                let start = index + key.count
                guard let end = line[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: line[start..<end], as: UTF8.self)
            }
            index -= 1
        }
        return nil
    }

    /// Every run id of a file, in order.
    static func runIDs(_ path: String) throws -> [String] {
        var ids: [String] = []
        try JSONLinesFile.forEachLine(path) { line, _ in
            if let id = runID(line) { ids.append(id) }
            return true
        }
        return ids
    }
}
