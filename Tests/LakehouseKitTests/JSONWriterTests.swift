import Foundation
import Testing
@testable import LakehouseKit

@Suite struct JSONWriterTests {
    private func written(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }

    @Test func outputParsesBackToTheSameValue() throws {
        let value: JSONValue = [
            "quote\"back\\slash": "line\nbreak\ttab\r\u{01}\u{1F}é日本",
            "numbers": [0, -3, 1.5, 1e-7, 6.02e23, 9007199254740993.0, -0.0],
            "flags": [true, false, nil],
            "nested": ["empty": [:], "list": []],
        ]
        let bytes = written(value)
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        #expect(parsed == value)
    }

    @Test func keysAreSortedSoOutputIsDeterministic() {
        #expect(String(decoding: written(["b": 1, "a": 2, "c": ["z": 1, "y": 2]]), as: UTF8.self) == #"{"a":2,"b":1,"c":{"y":2,"z":1}}"#)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        var writer = JSONWriter()
        writer.number(Double.nan)
        writer.raw(",")
        writer.number(Float.infinity)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "null,null")
    }

    @Test func floatsRoundTripExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let value = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            guard value.isFinite else { continue }
            var writer = JSONWriter()
            writer.number(value)
            let text = String(decoding: writer.bytes, as: UTF8.self)
            #expect(Float(text) == value, "\(text)")
            #expect((try? JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed)) != nil, "\(text)")
        }
    }
}
