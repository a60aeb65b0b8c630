import Foundation
import Testing
@testable import GatewayService
import LakehouseKit

/// The gateway reads matrixd's retrieve answer with the pull reader (of a worker only its id and
/// score, of a playbook only its `worker_ids`); it must take from it exactly what the decoded answer gives.
@Suite struct RetrievedPoolTests {
    static let worker = Worker(id: "W-000001", name: "Maria López", role: "forklift operator", skills: ["inventory"], certifications: ["forklift"],
                               city: "Toledo", state: "OH", lat: 41.65, lon: -83.54, shifts: ["2nd"], days: ["mon"], payRate: 18.5, status: "active",
                               phone: "+1-419-555-0142", email: "m@example.com")

    static func hit(_ corpus: String, _ id: String, _ score: Double, _ metadata: JSONValue) -> JSONValue {
        ["corpus": .string(corpus), "id": .string(id), "score": .number(score), "metadata": metadata]
    }

    static let answer: JSONValue = [
        "role": "forklift operator", "role_method": "given", "gate": ["dropped": 2],
        "results": [
            hit("playbooks", "PB-1", 0.9, ["id": "PB-1", "query": "Need 2 forklift operators", "worker_ids": ["W-000001", "W-000007"],
                                          "nested": ["worker_ids": ["W-999999"]], "recorded_at": "2026-11-21T17:30:18.838Z"]),
            hit("playbooks", "PB-2", 0.8, ["worker_ids": ["W-000007", 12, "W-000008", nil]]),
            hit("playbooks", "PB-3", 0.7, ["query": "no ids"]),
            hit("playbooks", "PB-4", 0.6, ["worker_ids": "W-000009"]),
            hit("playbooks", "PB-5", 0.5, "not an object"),
            hit("workers", "W-000001", 0.75, JSONTree.value(worker)),
            hit("workers", "W-000002", 0.5, ["id": "W-000002", "name": "not a whole worker record"]),
        ],
    ]

    @Test func pullReaderTakesWhatTheDecodedAnswerGives() throws {
        let bytes = try JSONTree.encode(Self.answer)
        let read = try #require(RetrievedPool.read(bytes))
        let decoded = RetrievedPool(try JSONCoding.decode(RetrieveResponse.self, from: bytes))
        #expect(read.playbookWorkerIDs == ["W-000001", "W-000007", "W-000008"])
        #expect(read.playbookWorkerIDs == decoded.playbookWorkerIDs)
        // A worker's record is validatord's to look up (by id, in its roster), whatever the metadata holds.
        #expect(read.retrieved == decoded.retrieved)
        #expect(read.retrieved == [RetrievedWorker(id: "W-000001", score: 0.75), RetrievedWorker(id: "W-000002", score: 0.5)])
        #expect(read.workerIDs == ["W-000001", "W-000002"])
        #expect(read.role == "forklift operator" && read.gateDropped == 2)
    }

    @Test func anAnswerOfAnotherShapeIsLeftToTheDecoder() throws {
        #expect(RetrievedPool.read(Array("[]".utf8)) == nil)
        #expect(RetrievedPool.read(Array("{\"results\":[]}".utf8)) == nil)
        #expect(RetrievedPool.read(try JSONTree.encode(Self.answer) + Array("x".utf8)) == nil)
    }
}
