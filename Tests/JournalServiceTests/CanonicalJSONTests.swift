import Foundation
import Testing
@testable import JournalService

@Suite struct CanonicalJSONTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: CanonicalJSON.serialize(try CanonicalJSON.parse(Array(text.utf8))), as: UTF8.self)
    }

    /// RFC 8785 §3.2.2.3 and Appendix B: IEEE 754 doubles in ECMAScript form.
    @Test func numbersTakeTheECMAScriptForm() throws {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (0.1, "0.1"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
            (Double("123456789012345680000")!, "123456789012345680000"), (1e-7, "1e-7"), (1e-6, "0.000001"), (4.5, "4.5"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (-Double.leastNonzeroMagnitude, "-5e-324"),
            (9007199254740992, "9007199254740992"), (0.000001234, "0.000001234"), (1.5e-7, "1.5e-7"), (333333333.3333333, "333333333.3333333"),
        ]
        for (value, text) in cases { #expect(CanonicalJSON.ecmaScriptString(value) == text, "\(value)") }
        #expect(CanonicalJSON.ecmaScriptString(.nan) == nil)
        #expect(CanonicalJSON.ecmaScriptString(.infinity) == nil)
    }

    @Test func rfc8785SortingAndEscapes() throws {
        // RFC 8785 §3.2.3's sorting example: names compared as UTF-16 code units.
        let sorting = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let keys = try canonical(sorting)
        #expect(keys == "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"דּ\":\"Hebrew Letter Dalet With Dagesh\"}")
        #expect(try canonical(#"{ "b" : [1.0, 2e0, "x\u001f\/\t"], "a" : null, "c": {"z":true,"y":false} }"#)
            == #"{"a":null,"b":[1,2,"x\u001f/\t"],"c":{"y":false,"z":true}}"#)
    }

    @Test func unrepresentableNumbersAndDuplicatesAreRefused() {
        for text in ["12345678901234567890", "1e400", "-1e400", "1e-400", "9007199254740993", "0.30000000000000001"] {
            #expect(throws: CanonicalJSON.Refusal.self, "\(text)") { _ = try CanonicalJSON.parse(Array("[\(text)]".utf8)) }
        }
        for text in ["0.1", "1.0", "1e2", "-0", "100000000000000000000", "1E-7", "9007199254740992"] {
            #expect(throws: Never.self, "\(text)") { _ = try CanonicalJSON.parse(Array("[\(text)]".utf8)) }
        }
        #expect(throws: CanonicalJSON.Refusal.self) { _ = try CanonicalJSON.parse(Array(#"{"a":1,"a":2}"#.utf8)) }
        #expect(throws: CanonicalJSON.Refusal.self) { _ = try CanonicalJSON.parse(Array(#"{"a":1"#.utf8)) }
        #expect(throws: CanonicalJSON.Refusal.self) { _ = try CanonicalJSON.parse(Array(#"{"a":"\ud800"}"#.utf8)) }
    }

    /// Generated documents (unicode keys, nesting, integers, fractions, exponents) against the
    /// independent PyPI implementation `rfc8785`.
    @Test func generatedDocumentsMatchTheRFC8785Package() throws {
        var rng = SplitMix(seed: 8785)
        let documents = (0..<400).map { _ in CanonicalJSONTests.document(&rng, depth: 0) }
        let texts = documents.map { String(decoding: CanonicalJSON.serialize($0), as: UTF8.self) }
        // Feed our canonical text (valid JSON) to Python, which re-canonicalizes it independently;
        // also feed a whitespace-laden re-ordering so Python does real work.
        let shuffled = documents.map { CanonicalJSONTests.loose($0) }
        let expected = try PythonTool.run("jcs_canonical.py", input: shuffled.joined(separator: "\n") + "\n").split(separator: "\n")
        #expect(expected.count == documents.count)
        for (i, want) in expected.enumerated() {
            #expect(hex(Array(texts[i].utf8)) == String(want), "document \(i): \(shuffled[i])")
            #expect(try canonical(shuffled[i]) == texts[i])
        }
    }

    static let keyPool = ["a", "b", "B", "é", "€", "😀", "\u{80}", "z\u{0}", "日本", "ab", "a\"b", "\\", "\u{FB33}", "1", "10", "2", "\u{7F}", "line\nbreak"]

    static func document(_ rng: inout SplitMix, depth: Int) -> CanonicalValue {
        switch rng.next() % (depth >= 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .string(keyPool[Int(rng.next() % UInt64(keyPool.count))] + String(rng.next() % 1000))
        case 3:
            // Integers, fractions, exponents, tiny and huge magnitudes.
            switch rng.next() % 5 {
            case 0: return .number(Double(Int64(bitPattern: rng.next()) >> 12))
            case 1: return .number(Double(Int(rng.next() % 2_000_001) - 1_000_000) / 1000)
            case 2: return .number(Double(bitPattern: rng.next() >> 2 | 0x3000_0000_0000_0000) * (rng.next() % 2 == 0 ? 1 : -1))
            case 3: return .number(pow(10, Double(Int(rng.next() % 600) - 300)) * Double(rng.next() % 97 + 1))
            default: return .number(Double(rng.next() % 100))
            }
        case 4: return .number(Double(rng.next() % 1000) / 8)
        case 5: return .array((0..<Int(rng.next() % 5)).map { _ in document(&rng, depth: depth + 1) })
        default:
            var seen = Set<String>()
            var members: [(String, CanonicalValue)] = []
            for _ in 0..<Int(rng.next() % 6) {
                let key = keyPool[Int(rng.next() % UInt64(keyPool.count))]
                if seen.insert(key).inserted { members.append((key, document(&rng, depth: depth + 1))) }
            }
            return .object(members)
        }
    }

    /// The document as non-canonical JSON text: members reversed, spaces, escaped slashes, and
    /// numbers in a different but equal notation.
    static func loose(_ value: CanonicalValue) -> String {
        switch value {
        case .null: return " null"
        case .bool(let b): return b ? "true " : " false"
        case .number(let d):
            let text = CanonicalJSON.ecmaScriptString(d)!
            return text.contains("e") || text.contains(".") ? text.uppercased() : text + ".000"
        case .string(let s):
            var out: [UInt8] = []
            CanonicalJSON.writeString(s, to: &out)
            return String(decoding: out, as: UTF8.self).replacingOccurrences(of: "/", with: "\\/")
        case .array(let items): return "[ " + items.map(loose).joined(separator: " , ") + " ]"
        case .object(let members):
            return "{ " + members.reversed().map { m in
                var out: [UInt8] = []
                CanonicalJSON.writeString(m.0, to: &out)
                return String(decoding: out, as: UTF8.self) + " : " + loose(m.1)
            }.joined(separator: ", ") + " }"
        }
    }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
