import Foundation
import LakehouseKit
import Testing
@testable import MatrixService

@Suite struct IndexHitTests {
    static let answer = #"{"results":[{"id":"W-1","metadata":{"city":"Toledo","lat":41.6,"lon":-83.5,"role":"welder","skills":["mig","tig"],"state":"OH","x":{"y":[1,{"z":null}]}},"score":0.75},"#
        + #"{"id":7,"metadata":{},"score":0.5},{"id":"W-2","score":0.25,"metadata":[1]},{"id":"W-3","metadata":{"role":"nurse"}},"odd",{"id":"W-4","metadata":{ "state" : "MI" },"score":-0.5,"extra":true}],"took":1}"#

    /// The hits of one search, read through the batch answer that carries it (`answer` is that
    /// search's object, `{"results":[…]}`).
    static func decode(_ answer: String, keeping fields: Set<String>) throws(MatrixError) -> [IndexHit] {
        try IndexHit.decode(batchAnswer: Array(#"{"searches":["#.utf8) + Array(answer.utf8) + Array("]}".utf8), keeping: [fields])[0].hits
    }

    @Test func decodeParsesOnlyRankingFieldsAndKeepsTheMetadataTextAsSent() throws {
        let hits = try Self.decode(Self.answer, keeping: IndexHit.rankingFields.union(["role"]))
        // A result without a string id or a numeric score is skipped.
        #expect(hits.map(\.id) == ["W-1", "W-2", "W-4"])
        #expect(hits.map(\.score) == [0.75, 0.25, -0.5])
        #expect(hits[0].metadata == ["lat": 41.6, "lon": -83.5, "role": "welder", "state": "OH"])
        #expect(String(decoding: hits[0].rawMetadata, as: UTF8.self)
            == #"{"city":"Toledo","lat":41.6,"lon":-83.5,"role":"welder","skills":["mig","tig"],"state":"OH","x":{"y":[1,{"z":null}]}}"#)
        #expect(hits[1].metadata.isEmpty && hits[1].rawMetadata == Array("{}".utf8))
        #expect(hits[2].metadata == ["state": "MI"])
        #expect(try JSONBytes.read(hits[2].rawMetadata) == ["state": "MI"])
    }

    @Test func keysAreMatchedAsBytesAndEscapedKeysStillCount() throws {
        let answer = #"{"results":[{"\u0069d":"W-9","score":1,"metadata":{"st\u0061te":"OH","stat":"x","states":"y","lat":1.5,"l":2,"lonx":3}}],"o":{"a":[{"b":"c"}]}}"#
        let found = try Self.decode(answer, keeping: IndexHit.rankingFields)
        #expect(found.map(\.id) == ["W-9"])
        #expect(found[0].metadata == ["state": "OH", "lat": 1.5])
    }

    @Test func anUnreadableAnswerIsABadGateway() {
        for bad in [#"{"results":[{"id":"W-1","score":1,"metadata":{"a":}}]}"#, #"{"results":[]"#, #"{"other":[]}"#, #"[]"#, #"{"results":[]} x"#, ""] {
            do {
                _ = try Self.decode(bad, keeping: IndexHit.rankingFields)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.kind == .badGateway, "\(bad)")
            }
        }
    }

    @Test func retrieveAnswerEncodesAsARetrieveResponseWithTheMetadataPassedThrough() throws {
        let hits = try Self.decode(Self.answer, keeping: IndexHit.rankingFields)
        let answer = Retriever.RetrieveAnswer(role: "welder", roleMethod: "regex",
                                              results: hits.map { Retriever.RankedHit(corpus: "workers", hit: $0, tier: 0) }, dropped: 2)
        let response = try JSONDecoder().decode(RetrieveResponse.self, from: Data(MatrixWire.encode(answer)))
        #expect(response.role == "welder" && response.roleMethod == "regex" && response.gate.dropped == 2)
        #expect(response.results.map(\.id) == ["W-1", "W-2", "W-4"] && response.results.allSatisfy { $0.corpus == "workers" })
        #expect(response.results[0].metadata["skills"] == ["mig", "tig"])
        #expect(response.results[0].metadata["x"] == ["y": [1, ["z": nil]]])
        #expect(response.results[1].metadata == [:])
        let none = Retriever.RetrieveAnswer(role: nil, roleMethod: "none", results: [], dropped: 0)
        #expect(String(decoding: MatrixWire.encode(none), as: UTF8.self) == #"{"gate":{"dropped":0},"results":[],"role":null,"role_method":"none"}"#)
    }
}
