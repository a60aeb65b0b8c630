import Foundation
import Testing
@testable import LakehouseKit

/// The hot-path pieces distillation leans on: string escaping, the tree decoder's errors, the
/// ordered parallel map.
@Suite struct DistillationCodingTests {
    /// The escaping rules one byte at a time (the writer copies unescaped runs whole).
    static func reference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        return out + [0x22]
    }

    @Test func stringEscapingMatchesTheByteByByteRulesAndParsesBack() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "/", "é", "日本", "👍", "$", "0"]
        var samples = ["", "plain", "\"", "\\", "end\\", "\"start", "\u{0}", "mixed \"q\" \\ \n\t\u{7}é"]
        for _ in 0..<300 {
            samples.append((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined())
        }
        for text in samples {
            var writer = JSONWriter()
            writer.string(text)
            #expect(writer.bytes == Self.reference(text), "\(text.debugDescription)")
            #expect(JSONParsing.value(writer.bytes) == .string(text), "\(text.debugDescription)")
        }
    }

    struct Attempt: Codable, Equatable {
        var attempt: Int
        var valid: Bool
        var note: String?
    }

    struct Run: Codable, Equatable {
        var runID: String
        var attempts: [Attempt]
        var scores: [Double]
        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case attempts, scores
        }
    }

    @Test func treeDecoderErrorsNameTheFullPath() throws {
        let good = Run(runID: "r", attempts: [Attempt(attempt: 1, valid: false, note: nil), Attempt(attempt: 2, valid: true, note: "ok")], scores: [0.5, 1])
        let bytes = try JSONValueEncoder.bytes(good)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"attempts":[{"attempt":1,"valid":false},{"attempt":2,"note":"ok","valid":true}],"run_id":"r","scores":[0.5,1]}"#)
        #expect(try JSONValueDecoder.decode(Run.self, fromBytes: bytes) == good)
        let cases: [(String, String)] = [
            (#"{"run_id":"r","attempts":[{"attempt":1,"valid":true},{"attempt":2}],"scores":[]}"#, "field 'attempts[1].valid': missing"),
            (#"{"run_id":"r","attempts":[{"attempt":1.5,"valid":true}],"scores":[]}"#, "field 'attempts[0].attempt': expected Int"),
            (#"{"run_id":7,"attempts":[],"scores":[]}"#, "field 'run_id': expected String"),
            (#"{"run_id":"r","attempts":[],"scores":[1,"x"]}"#, "field 'scores[1]': expected Double"),
            (#"{"run_id":"r","attempts":[{"attempt":1,"valid":true,"note":3}],"scores":[]}"#, "field 'attempts[0].note': expected String"),
            (#"{"run_id":"r","attempts":{},"scores":[]}"#, "field 'attempts': expected an array"),
        ]
        for (text, expected) in cases {
            #expect(throws: JSONValueDecoder.Failure.self) { try JSONValueDecoder.decode(Run.self, fromBytes: Array(text.utf8)) }
            do {
                _ = try JSONValueDecoder.decode(Run.self, fromBytes: Array(text.utf8))
            } catch {
                #expect("\(error)" == expected, "\(text)")
            }
        }
    }

    @Test func orderedParallelMapKeepsTheInputOrder() {
        let items = Array(0..<10_000)
        let mapped = OrderedParallelMap.map(items, threads: 4) { value -> String in
            if value % 97 == 0 { usleep(50) }  // uneven work, so threads finish out of order
            return "item \(value)"
        }
        #expect(mapped == items.map { "item \($0)" })
        #expect(OrderedParallelMap.map([Int](), threads: 4) { $0 }.isEmpty)
        #expect(OrderedParallelMap.map([7], threads: 4) { $0 * 2 } == [14])
    }
}
