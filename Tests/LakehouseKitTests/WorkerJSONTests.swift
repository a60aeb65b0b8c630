import Foundation
import Testing
@testable import LakehouseKit

/// The hand-written codecs of the fill's hot hops give exactly what the Codable path gives.
@Suite struct WorkerJSONTests {
    static let workers = [
        Worker(id: "W-000001", name: "Maria \"Mia\" López", role: "forklift operator", skills: ["reach truck", "inventory"],
               certifications: ["forklift", "osha-10"], city: "Toledo", state: "OH", lat: 41.65, lon: -83.54, shifts: ["1st", "2nd"],
               days: ["mon", "tue"], payRate: 18.5, status: "active", phone: "+1-419-555-0142", email: "maria.lopez@example.com"),
        Worker(id: "W-000002", name: "Li\nWei", role: "cdl driver", skills: [], certifications: [], city: "Austin", state: "TX",
               lat: 30, lon: -97.7431, shifts: ["3rd"], days: ["sun"], payRate: 22, status: "inactive", phone: "", email: "li@example.com"),
    ]

    @Test func workerWritesAndReadsWhatCodableDoes() throws {
        for worker in Self.workers {
            var writer = JSONWriter()
            worker.write(to: &writer)
            #expect(writer.bytes == (try JSONCoding.encode(worker)))
            #expect(try JSONValueEncoder.encode(worker) == JSONValueEncoder.encode(JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(worker))))
            let bytes = try JSONCoding.encode(worker)
            let read = try bytes.withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                return try Worker.read(&reader)
            }
            #expect(read == worker)
            #expect(try Worker(jsonValue: JSONCoding.decode(JSONValue.self, from: bytes)) == worker)
        }
    }

    @Test func aRecordThatIsNotAWorkerIsRefusedLikeCodableRefusesIt() throws {
        var object = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(Self.workers[0])).objectValue!
        object["lat"] = .string("41.65")
        #expect(throws: (any Error).self) { try Worker(jsonValue: .object(object)) }
        #expect(throws: (any Error).self) { try JSONCoding.decode(Worker.self, from: JSONWriter.bytes(of: .object(object))) }
        object["lat"] = nil
        #expect(throws: (any Error).self) { try Worker(jsonValue: .object(object)) }
        let bytes = JSONWriter.bytes(of: .object(object))
        #expect(throws: APIError.self) {
            try bytes.withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                _ = try Worker.read(&reader)
            }
        }
    }

    @Test func workerListsCodeLikeJSONCodingAndFallBackOnAnythingElse() throws {
        let request = IterateRequest(request: FillRequestSpec(query: "Need 2 forklift operators in Toledo, OH", count: 2, role: "forklift operator",
                                                              city: "Toledo", state: "OH", shift: "2nd", day: "mon"),
                                     candidates: Self.workers, playbookWorkerIDs: ["W-000009"], maxAttempts: 3, runID: "run-1")
        var bare = request
        bare.candidates = []
        let fast = try WorkerListJSON.bytes(bare, workers: request.candidates, under: "candidates")
        #expect(fast == (try JSONCoding.encode(request)))
        let decoded = try #require(WorkerListJSON.decode(IterateRequest.self, from: fast, workersUnder: "candidates"))
        var whole = decoded.value
        whole.candidates = decoded.workers
        #expect(whole == request)
        // Missing list, a list of the wrong shape, trailing garbage: nil (the caller decodes the slow way).
        var object = try JSONCoding.decode(JSONValue.self, from: fast).objectValue!
        object["candidates"] = nil
        #expect(WorkerListJSON.decode(IterateRequest.self, from: JSONWriter.bytes(of: .object(object)), workersUnder: "candidates") == nil)
        object["candidates"] = .array([.number(1)])
        #expect(WorkerListJSON.decode(IterateRequest.self, from: JSONWriter.bytes(of: .object(object)), workersUnder: "candidates") == nil)
        #expect(WorkerListJSON.decode(IterateRequest.self, from: fast + Array(" x".utf8), workersUnder: "candidates") == nil)
        // The draft prompt carries the same JSON as before.
        let context = FillDraftContext(task: .fillDraft, request: request.request, workers: Self.workers, playbookWorkerIDs: ["W-000009"])
        #expect(DraftPrompt.messages(for: context)[1].content == JSONCoding.string(context))
    }
}

extension JSONWriter {
    static func bytes(of value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }
}
