import Foundation
import Testing
@testable import EmbedService

@Suite struct JSONReaderTests {
    /// Whether our reader accepts `text` as one complete JSON value.
    private func accepts(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(EmbedError) {
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
                var reader = JSONReader(raw)
                return try? reader.readNumber()
            }
        }
        #expect(number("384") == .some(384))
        #expect(number("-7") == .some(-7))
        #expect(number("1.5") == .some(nil))
        #expect(number("1e3") == .some(nil))
        #expect(number("99999999999999999999999") == .some(nil))
    }

    @Test func errorsSayWhereTheyAre() {
        Array(#"{"a" 1}"#.utf8).withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            #expect(throws: EmbedError.badRequest("body is not valid JSON: expected ':' at byte 5")) {
                try reader.skipValue()
            }
        }
    }
}
