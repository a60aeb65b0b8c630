import Foundation
import Testing
@testable import EmbedService

@Suite struct JSONFloatFormatTests {
    private func text(_ value: Float) -> String {
        var bytes: [UInt8] = []
        JSONFloatFormat.append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func randomFloatsRoundTripExactly() {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<200_000 {
            let value: Float =
                i % 2 == 0
                ? Float.random(in: -1...1, using: &generator)
                : Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            guard value.isFinite else { continue }
            let written = text(value)
            #expect(Float(written)?.bitPattern == value.bitPattern, "\(value.bitPattern): \(written)")
        }
    }

    @Test func edgeValuesAreValidJSONNumbers() throws {
        let values: [Float] = [
            0, -0.0, 1, -1, 0.1, 1e-5, 1.5e-7, 1e8, 16_777_216, 16_777_218, .leastNonzeroMagnitude,
            .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne,
        ]
        let array = JSONFloatFormat.array(values)
        let parsed = try #require(try parseJSON(array) as? [NSNumber])
        #expect(parsed.count == values.count)
        for (number, value) in zip(parsed, values) {
            #expect(Float(number.doubleValue) == value)
        }
        #expect(!String(decoding: array, as: UTF8.self).contains("inf"))
        #expect(!String(decoding: array, as: UTF8.self).contains("nan"))
    }

    @Test func digitsAreTheShortestThatRoundTrip() {
        #expect(text(0.1) == "0.1")
        #expect(text(-3) == "-3.0")
        #expect(text(1e-5) == "1e-05")
        #expect(text(0.012345678) == "0.012345678")
    }

    @Test func arrayOfEmbeddingParsesToTheSameFloats() throws {
        let vector = HashEmbedder().embed("forklift operator in Toledo")
        let parsed = try #require(try parseJSON(JSONFloatFormat.array(vector)) as? [NSNumber])
        #expect(parsed.map { Float($0.doubleValue) } == vector)
        #expect(JSONFloatFormat.array([]) == Array("[]".utf8))
    }
}
