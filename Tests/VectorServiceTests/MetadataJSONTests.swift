import Foundation
import LakehouseKit
import Testing
@testable import VectorService

@Suite struct MetadataJSONTests {
    /// The index keeps metadata as JSON text; parsing it back (item, snapshots, compaction, the
    /// filters the postings cannot answer) must give exactly the fields inserted, numbers bit for bit.
    @Test func textParsesBackToExactlyTheInsertedFields() {
        var random = SystemRandomNumberGenerator()
        func number() -> Double {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return Double(Int.random(in: -1_000_000...1_000_000, using: &random))
            case 1: return Double.random(in: -1...1, using: &random)
            case 2: return Double(sign: .plus, exponent: Int.random(in: -300...300, using: &random), significand: Double.random(in: 1..<2, using: &random))
            default:
                // Any finite bit pattern, including subnormals (never -0: JSON text has one zero).
                var d: Double
                repeat { d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random)) } while !d.isFinite || d == 0
                return d
            }
        }
        func text() -> String {
            let pieces = ["a", "é", "\"", "\\", "\n", "\u{1}", "\u{1F}", "🙂", "OH", " ", "/", "\u{7F}", "漢"]
            return (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .number(number())
            case 3, 4: return .string(text())
            case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) })
            default: return .object(fields(depth + 1))
            }
        }
        func fields(_ depth: Int) -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &random) { out[text()] = value(depth) }
            return out
        }
        for _ in 0..<2_000 {
            let original = fields(0)
            let stored = MetadataJSON.encode(original)
            let back = MetadataJSON.decode(stored)
            #expect(back == original, "\(String(decoding: stored, as: UTF8.self))")
            #expect(Self.bits(.object(back)) == Self.bits(.object(original)))
        }
        #expect(MetadataJSON.encode([:]) == Array("{}".utf8))
        #expect(MetadataJSON.decode(Array("{}".utf8)).isEmpty)
    }

    /// Nesting deeper than the pull reader reads (items stored before it read upserts) still comes back.
    @Test func deeplyNestedMetadataComesBack() {
        var value: JSONValue = ["leaf": 1.25]
        for depth in 0..<100 { value = depth % 2 == 0 ? .array([value, "x"]) : ["d": value] }
        let fields: [String: JSONValue] = ["deep": value, "state": "OH"]
        #expect(MetadataJSON.decode(MetadataJSON.encode(fields)) == fields)
    }

    /// Every number's bit pattern, in the fields' (sorted) order.
    static func bits(_ value: JSONValue) -> [UInt64] {
        switch value {
        case .number(let n): [n.bitPattern]
        case .array(let items): items.flatMap(bits)
        case .object(let fields): fields.keys.sorted().flatMap { bits(fields[$0]!) }
        default: []
        }
    }

    /// Search answers carry the inserted metadata as text, and the same fields come back through
    /// `item`, a compaction and a reopen (snapshot + log).
    @Test func searchAnswersAndReopenedIndexesKeepTheMetadata() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 600, dims: 8, queries: 4)
        var items = d.items()
        items[5].metadata = ["name": "Zoë \"Z\" O'Neil", "pay": 18.5, "n": 1e-7, "list": [1, "two", ["three": nil]]]
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 8, metric: .cosine), items: items)
        let hits = try index.search(vector: d.row(5), k: 3, ef: nil, filter: MetadataFilter(["name": "Zoë \"Z\" O'Neil"]))
        #expect(hits.map(\.id) == [d.id(5)])
        #expect(hits.first?.metadata == items[5].metadata)
        #expect(hits.first?.metadataJSON == MetadataJSON.encode(items[5].metadata))
        _ = try await index.delete(ids: (0..<300).filter { $0 != 5 }.map { d.id($0) })
        try await index.compact()
        try await index.snapshot()
        await catalog.close()
        let reopened = try IndexCatalog.open(config: config(dir))
        let again = try reopened.index(named: "test")
        #expect(try again.item(id: d.id(5)).metadata == items[5].metadata)
        #expect(try again.item(id: d.id(450)).metadata == d.metadata(450))
        let filtered = try again.search(vector: d.row(450), k: 5, ef: nil, filter: MetadataFilter(["tags": "t0"]))
        #expect(!filtered.isEmpty && filtered.allSatisfy { ($0.metadata["tags"]?.arrayValue ?? []).contains(.string("t0")) })
        await reopened.close()
    }
}
