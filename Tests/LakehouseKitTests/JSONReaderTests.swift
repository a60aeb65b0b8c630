import Foundation
import Testing
@testable import LakehouseKit

@Suite struct JSONReaderTests {
    /// Whether our reader accepts `text` as one complete JSON value.
    private func accepts(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader<APIError>(raw)
            do throws(APIError) {
                try reader.skipValue()
                try reader.expectEnd()
                return true
            } catch {
                return false
            }
        }
    }

    @Test func acceptsValidJSONThatFoundationAlsoAccepts() {
        let valid = [
            "{}", "[]", "0", "-0", "1.5e-3", "1E+2", "-12.0", "\"\"", "true", "false", "null",
            #"{"a":[1,2,{"b":null}],"c":"d"}"#, #"["\u00e9","\ud83d\ude00"]"#, " [ 1 , 2 ] ",
        ]
        for sample in valid {
            #expect(accepts(sample), "\(sample)")
            #expect((try? JSONSerialization.jsonObject(with: Data(sample.utf8), options: [.fragmentsAllowed])) != nil)
        }
    }

    @Test func rejectsWhatRFC8259Rejects() {
        // Foundation's parser tolerates some of these (trailing commas); the service follows the RFC.
        let invalid = [
            "01", "1.", ".5", "+1", "1e", "--1", "[1,]", "{\"a\"}", "{\"a\":1,}", "[1 2]", "tru", "nul",
            "\"abc", "{\"a\":1}}", "'a'", "[\"\\q\"]", "[1]x", "NaN", "Infinity", "", "{\"a\":1 \"b\":2}",
        ]
        for sample in invalid {
            #expect(!accepts(sample), "\(sample)")
        }
    }

    @Test func deepNestingIsRejectedNotACrash() {
        #expect(!accepts(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)))
        #expect(accepts(String(repeating: "[", count: 60) + String(repeating: "]", count: 60)))
    }

    @Test func integersAreReadAndOtherNumbersAreNot() {
        func number(_ text: String) -> Int?? {
            Array(text.utf8).withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                return try? reader.readNumber()
            }
        }
        #expect(number("384") == .some(384))
        #expect(number("-7") == .some(-7))
        #expect(number("1.5") == .some(nil))
        #expect(number("1e3") == .some(nil))
        #expect(number("99999999999999999999999") == .some(nil))
    }

    /// `skipValue` scans without building strings; it must accept and refuse exactly what
    /// `readValue` does, with the same error at the same byte.
    @Test func skippingAgreesWithReadingOnEveryInput() {
        func outcome(_ text: [UInt8], skip: Bool) -> String {
            text.withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                do throws(APIError) {
                    if skip { try reader.skipValue() } else { _ = try reader.readValue() }
                    try reader.expectEnd()
                    return "ok"
                } catch {
                    return error.message
                }
            }
        }
        var samples: [[UInt8]] = [
            "{}", "[]", #"{"a":[1,2,{"b":null}],"c":"d"}"#, #"["\u00e9","\ud83d\ude00"]"#, #"{"k\"ey":"v\\n","é":"ü"}"#,
            #"{"a":"x\u0001"}"#, #"["\ud800"]"#, #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", "[1 2]", #"{1:2}"#, #"{"a":"unterminated"#,
            #"{"a":tru}"#, "[\"\\q\"]", "{\"a\":\"tab\there\"}", #"  {"nested":{"deep":[[[{"x":"y"}]]]}}  "#,
        ].map { Array($0.utf8) }
        samples.append(Array("[\"".utf8) + [0xC3, 0x28] + Array("\"]".utf8))  // invalid UTF-8 in a string
        samples.append(Array("{\"".utf8) + [0xFF] + Array("\":1}".utf8))  // invalid UTF-8 in a key
        samples.append(Array("[\"".utf8) + [0xC3, 0xA9] + Array("\"]".utf8))  // valid UTF-8
        for sample in samples {
            #expect(outcome(sample, skip: true) == outcome(sample, skip: false), "\(String(decoding: sample, as: UTF8.self))")
        }
        #expect(outcome(Array(#"{"a":"x\u0001"}"#.utf8), skip: true) == "ok")
        #expect(outcome(Array("{\"a\":\"tab\there\"}".utf8), skip: true) != "ok")
        #expect(outcome([0xC3], skip: true) != "ok")
    }

    @Test func errorsSayWhereTheyAre() {
        Array(#"{"a" 1}"#.utf8).withUnsafeBytes { raw in
            var reader = JSONReader<APIError>(raw)
            do throws(APIError) {
                try reader.skipValue()
                Issue.record("expected a syntax error")
            } catch {
                #expect(error.status == .badRequest)
                #expect(error.message == "body is not valid JSON: expected ':' at byte 5")
            }
        }
    }
}

@Suite struct JSONReaderValueTests {
    private func value(_ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader<APIError>(raw)
            let value = try reader.readValue()
            try reader.expectEnd()
            return value
        }
    }

    /// Strings with escapes (a prompt is a JSON document inside a JSON string) read back exactly
    /// what Foundation wrote, whatever mix of plain runs, escapes and non-ASCII text they hold.
    @Test func escapedStringsReadBackWhatFoundationWrote() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "plain run of text ", "\"", "\\", "/", "\n", "\t", "\r", "\u{08}", "\u{0C}", "\u{01}", "é", "😀", "{\"k\":[1,\"v\"]}", "\u{7F}"]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let encoded = try JSONEncoder().encode([text])
            #expect(try value(String(decoding: encoded, as: UTF8.self)) == .array([.string(text)]), "\(text.debugDescription)")
        }
        #expect(try value(#"["a\u00e9\ud83d\ude00b\"c\\d\/e"]"#) == .array([.string("aé😀b\"c\\d/e")]))
        #expect(throws: (any Error).self) { try value("[\"a\\\"b\u{01}c\"]") }
        #expect(throws: (any Error).self) { try value(#"["a\"b"#) }
    }

    @Test func readsWholeValuesLikeFoundation() throws {
        #expect(try value(#"{"a":[1,-2.5e3,"x\u00e9",true,null],"b":{}}"#) == ["a": [1, -2500, "xé", true, nil], "b": [:]])
        #expect(try value("0.1") == .number(0.1))
    }

    @Test func readsDoublesExactlyAsStrtod() throws {
        for text in ["0", "-0.0", "3.14159", "1e-7", "6.02214076e23", "-123456789.125", "0.30000000000000004"] {
            let parsed = try Array(text.utf8).withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                return try reader.readDouble()
            }
            #expect(parsed == Double(text)!, "\(text)")
        }
    }
}
