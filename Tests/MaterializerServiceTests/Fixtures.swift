import Foundation
import Testing
import LakehouseKit
@testable import MaterializerService

/// The committed journal fixture (Tests/Fixtures/distill) as `RunEvent`s, line i → seq i.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func events() throws -> [RunEvent] {
        let path = root + "/Tests/Fixtures/distill/fill_events.jsonl"
        var out: [RunEvent] = []
        try JSONLinesFile.forEachLine(path) { line, number in
            var value = try #require(JSONParsing.value(line)).objectValue!
            value["seq"] = .number(Double(number))
            out.append(try JSONValueDecoder.decode(RunEvent.self, from: .object(value)))
            return true
        }
        return out
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "materializer-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func materializer(_ root: String, _ events: [RunEvent], grace: Int = 0) -> Materializer {
        Materializer(config: MaterializerConfig(pageSize: 50, graceSeconds: grace, dataRoot: root), source: ListEventSource(events))
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
