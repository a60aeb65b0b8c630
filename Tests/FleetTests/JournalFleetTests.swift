import Foundation
import Glibc
import LakehouseKit
import Testing

/// journald as a real process: acknowledged events survive SIGKILL, torn tails and flipped bytes,
/// an independent auditor agrees with its chain, tree and proofs, bad input changes nothing.
@Suite(.serialized) struct JournalFleetTests {
    static func event(_ i: Int, id: String? = nil, trace: String = "trace-a", type: String = "test.event") -> String {
        let idField = id.map { #""id":"\#($0)","# } ?? ""
        return #"{\#(idField)"ts":"2026-11-21T12:00:00.000Z","daemon":"testd","type":"\#(type)","trace_id":"\#(trace)","subject":"worker:W-\#(String(format: "%06d", i))","payload":{"n":\#(i),"marker":"marker-\#(String(format: "%04d", i))","x":\#(Double(i) / 8),"unicode":"Zoë €\#(i) 😀","nested":{"b":[1,2.5,1e21,null,true],"a":"\u0001"}}}"#
    }

    static func batch(_ events: [String]) -> String { #"{"events":[\#(events.joined(separator: ","))]}"# }

    /// Every event of the journal, by seq, through the paged query.
    static func allEvents(_ fleet: Fleet) async throws -> [Int: [String: Any]] {
        var out: [Int: [String: Any]] = [:]
        var since = 0
        while true {
            let page = try #require(try await fleet.request(.journald, .GET, "/v1/events?since_seq=\(since)&limit=1000").json)
            for event in page["events"] as? [[String: Any]] ?? [] { out[event["seq"] as! Int] = event }
            guard let next = page["next_since_seq"] as? Int else { return out }
            since = next
        }
    }

    static func segments(_ fleet: Fleet) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(fleet.dataDirectory)/journald")) ?? []).filter { $0.hasPrefix("events-") }.sorted()
    }

    @Test func concurrentWritersSurviveSIGKILLAndTheChainVerifies() async throws {
        let fleet = try Fleet(extraEnvironment: ["JOURNALD_SEGMENT_BYTES": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))

        let acknowledged = Acknowledgements()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for round in 0..<400 {
                            let size = round % 3 == 0 ? 10 : 1
                            let ids = (0..<size).map { "w\(writer)-r\(round)-\($0)" }
                            let body = Self.batch(ids.enumerated().map { Self.event(writer * 10_000 + round * 10 + $0.offset, id: $0.element, trace: "trace-\(writer)") })
                            guard let response = try? await fleet.request(.journald, .POST, "/v1/events", body: body, timeoutMs: 5_000),
                                  response.status == .ok, let events = response.json?["events"] as? [[String: Any]] else { return }
                            for e in events { acknowledged.add(id: e["id"] as! String, seq: e["seq"] as! Int, hash: e["hash"] as! String) }
                        }
                    }
                }
            }
        }
        while acknowledged.count < 1_500 { try await Task.sleep(nanoseconds: 5_000_000) }
        fleet.process(.journald).killHard()
        await writers.value
        let acks = acknowledged.all
        #expect(acks.count >= 1_500)
        #expect(Set(acks.values.map(\.seq)).count == acks.count, "every acknowledged event has its own seq")

        try fleet.restart(.journald)
        #expect(await fleet.waitUntilReady(.journald), "\(fleet.process(.journald).log)")
        let stored = try await Self.allEvents(fleet)
        var lost: [String] = []
        for (id, ack) in acks {
            guard let event = stored[ack.seq], event["id"] as? String == id, event["hash"] as? String == ack.hash else {
                lost.append(id)
                continue
            }
        }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events lost or changed, e.g. \(lost.prefix(3))")
        #expect(Set(stored.keys) == Set(1...stored.count), "seqs are contiguous")
        #expect(Self.segments(fleet).count > 1, "segments rotate at JOURNALD_SEGMENT_BYTES")
        let verify = try #require(try await fleet.request(.journald, .GET, "/v1/verify").json)
        #expect(verify["ok"] as? Bool == true, "\(verify)")
        #expect(verify["size"] as? Int == stored.count)

        // A retry after a lost acknowledgement: the same id is acknowledged with its original seq.
        let (someID, original) = acks.first!
        let retry = try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch([Self.event(1, id: someID)]))
        let again = try #require((retry.json?["events"] as? [[String: Any]])?.first)
        #expect(again["seq"] as? Int == original.seq && again["hash"] as? String == original.hash && again["duplicate"] as? Bool == true)
        #expect(try await fleet.request(.journald, .GET, "/v1/checkpoint").json?["size"] as? Int == stored.count)

        // Queries come from the indexes and filter exactly.
        let byTrace = try #require(try await fleet.request(.journald, .GET, "/v1/events?trace_id=trace-3&limit=1000").json?["events"] as? [[String: Any]])
        // Events made durable just before the kill but never acknowledged are there too: compare
        // with the full scan, and every acknowledged one must be among them.
        #expect(byTrace.count == stored.values.filter { $0["trace_id"] as? String == "trace-3" }.count)
        let traced = Set(byTrace.map { $0["id"] as! String })
        #expect(acks.keys.filter { $0.hasPrefix("w3-") }.allSatisfy { traced.contains($0) })
        #expect(byTrace.allSatisfy { $0["trace_id"] as? String == "trace-3" })
        #expect(byTrace.map { $0["seq"] as! Int } == byTrace.map { $0["seq"] as! Int }.sorted())
        _ = fleet.stop()
    }

    /// 1,000 events, then an independent Python auditor (RFC 8785 via PyPI `rfc8785`, SHA-256 via
    /// hashlib, RFC 9162 tree, inclusion and consistency verification written from the RFC).
    @Test func anIndependentAuditorAgreesWithChainTreeAndProofs() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))
        var i = 0
        for size in [1, 7, 100, 256, 1, 135, 500] {
            let body = Self.batch((0..<size).map { k in Self.event(i + k, type: k % 2 == 0 ? "even" : "odd") })
            #expect(try await fleet.request(.journald, .POST, "/v1/events", body: body).status == .ok)
            i += size
        }
        #expect(i == 1_000)
        let output = try await runPythonTool("journal_audit.py", arguments: ["http://127.0.0.1:\(fleet.ports[.journald]!)"])
        #expect(output.hasPrefix("audit ok events=1000 "), "\(output)")
        let checkpoint = try #require(try await fleet.request(.journald, .GET, "/v1/checkpoint").json)
        #expect(output.contains("root=\(checkpoint["root"] as! String)"))
        _ = fleet.stop()
    }

    @Test func aTornTailRecoversEverythingBeforeTheTear() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch((1...50).map { Self.event($0, id: "e\($0)") })).status == .ok)
        let before = try await Self.allEvents(fleet)
        fleet.process(.journald).killHard()

        let path = "\(fleet.dataDirectory)/journald/\(Self.segments(fleet).last!)"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        try bytes.dropLast(40).write(to: URL(fileURLWithPath: path))

        try fleet.restart(.journald)
        #expect(await fleet.waitUntilReady(.journald), "\(fleet.process(.journald).log)")
        let after = try await Self.allEvents(fleet)
        #expect(after.count == 49)
        for seq in 1...49 { #expect(after[seq]?["hash"] as? String == before[seq]?["hash"] as? String) }
        #expect(try await fleet.request(.journald, .GET, "/v1/verify").json?["ok"] as? Bool == true)
        // The torn event can be sent again and takes the freed seq.
        let resend = try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch([Self.event(50, id: "e50")]))
        #expect((resend.json?["events"] as? [[String: Any]])?.first?["seq"] as? Int == 50)
        _ = fleet.stop()
    }

    @Test func aFlippedByteInTheMiddleIsNamedByVerify() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch((1...50).map { Self.event($0) })).status == .ok)
        fleet.process(.journald).killHard()
        let name = Self.segments(fleet).last!
        let path = "\(fleet.dataDirectory)/journald/\(name)"
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        let marker = Array("marker-0020".utf8)
        let at = try #require((0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
        // The frame that holds it: walk the frames from the 8-byte header.
        var frame = 8
        while true {
            let length = Int(bytes[frame]) | Int(bytes[frame + 1]) << 8 | Int(bytes[frame + 2]) << 16 | Int(bytes[frame + 3]) << 24
            if at < frame + 8 + length { break }
            frame += 8 + length
        }
        bytes[at + 7] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        try fleet.restart(.journald)
        var verify: [String: Any]?
        for _ in 0..<200 {
            if let v = try? await fleet.request(.journald, .GET, "/v1/verify"), v.status == .ok { verify = v.json; break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let report = try #require(verify)
        #expect(report["ok"] as? Bool == false)
        let broken = try #require(report["broken"] as? [String: Any])
        #expect(broken["seq"] as? Int == 20 && broken["segment"] as? String == name && broken["offset"] as? Int == frame, "\(broken)")
        // Damage is reported, never cut: the file is as it was, later events are still served, appends are refused.
        #expect([UInt8](FileManager.default.contents(atPath: path)!) == bytes)
        let readiness = try await fleet.request(.journald, .GET, "/readyz")
        #expect(readiness.status == .serviceUnavailable && readiness.text.contains("seq 20"))
        let later = try await fleet.request(.journald, .GET, "/v1/events?since_seq=20&limit=5").json?["events"] as? [[String: Any]]
        #expect(later?.first?["seq"] as? Int == 21)
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch([Self.event(99)])).status == .serviceUnavailable)
        fleet.process(.journald).killHard()

        // A forger who also fixes the CRC is caught by the hashes.
        bytes[at + 7] ^= 0x01
        bytes[at + 8] ^= 0x01
        let length = Int(bytes[frame]) | Int(bytes[frame + 1]) << 8 | Int(bytes[frame + 2]) << 16 | Int(bytes[frame + 3]) << 24
        let crc = CRC32C.checksum(bytes[(frame + 8)..<(frame + 8 + length)])
        for k in 0..<4 { bytes[frame + 4 + k] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * k)) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try fleet.restart(.journald)
        #expect(await fleet.waitUntilReady(.journald))
        let forged = try #require(try await fleet.request(.journald, .GET, "/v1/verify").json)
        #expect(forged["ok"] as? Bool == false)
        #expect((forged["broken"] as? [String: Any])?["seq"] as? Int == 20, "\(forged)")
        _ = fleet.stop()
    }

    @Test func badInputGets4xxAndWritesNothing() async throws {
        let fleet = try Fleet(extraEnvironment: ["JOURNALD_MAX_BATCH": "5", "LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: Self.batch([Self.event(1), Self.event(2)])).status == .ok)
        let good = #""ts":"2026-11-21T12:00:00Z","daemon":"d","type":"t","trace_id":"x""#
        let cases: [(String, HTTPStatus)] = [
            ("", .badRequest),
            ("{", .badRequest),
            ("[]", .badRequest),
            (#"{"events":"no"}"#, .badRequest),
            (#"{"events":[]}"#, .badRequest),
            (#"{"evens":[]}"#, .badRequest),
            (#"{"events":[42]}"#, .badRequest),
            (#"{"events":[{\#(good)}]}"#, .badRequest),                                   // missing payload
            (#"{"events":[{\#(good),"payload":[1,2]}]}"#, .badRequest),                    // non-object payload
            (#"{"events":[{\#(good),"payload":"text"}]}"#, .badRequest),
            (#"{"events":[{"daemon":"d","type":"t","trace_id":"x","payload":{}}]}"#, .badRequest),  // missing ts
            (#"{"events":[{\#(good),"payload":{},"extra":1}]}"#, .badRequest),              // unknown field
            (#"{"events":[{\#(good),"payload":{"n":12345678901234567890}}]}"#, .badRequest), // not representable
            (#"{"events":[{\#(good),"payload":{"n":1e400}}]}"#, .badRequest),
            (#"{"events":[{\#(good),"payload":{"a":1,"a":2}}]}"#, .badRequest),             // duplicate name
            (#"{"events":[{"ts":"yesterday","daemon":"d","type":"t","trace_id":"x","payload":{}}]}"#, .badRequest),
            (#"{"events":[{\#(good),"payload":{},"id":7}]}"#, .badRequest),                 // wrong type
            (#"{"events":[{"ts":"2026-11-21T12:00:00Z","daemon":"","type":"t","trace_id":"x","payload":{}}]}"#, .badRequest),
            (Self.batch((0..<6).map { Self.event($0) }), .payloadTooLarge),
            (#"{"events":[{\#(good),"payload":{"big":"\#(String(repeating: "x", count: 70_000))"}}]}"#, .payloadTooLarge),
        ]
        for (body, status) in cases {
            let response = try await fleet.request(.journald, .POST, "/v1/events", body: body)
            #expect(response.status == status, "\(body.prefix(120)) → \(response.status.code) \(response.text)")
            #expect((response.json?["error"] as? [String: Any])?["code"] is String, "\(body.prefix(80)): error envelope")
        }
        let queries: [(String, HTTPStatus)] = [
            ("/v1/proof/inclusion?seq=3&size=2", .badRequest),
            ("/v1/proof/inclusion?seq=1&size=3", .badRequest),
            ("/v1/proof/inclusion?seq=0", .badRequest),
            ("/v1/proof/inclusion?seq=abc", .badRequest),
            ("/v1/proof/inclusion", .badRequest),
            ("/v1/proof/consistency?from=2&to=1", .badRequest),
            ("/v1/proof/consistency?from=1&to=9", .badRequest),
            ("/v1/proof/consistency?from=0&to=2", .badRequest),
            ("/v1/proof/consistency?to=2", .badRequest),
            ("/v1/events?limit=0", .badRequest),
            ("/v1/events?limit=x", .badRequest),
            ("/v1/events?since_seq=-1", .badRequest),
            ("/v1/events?colour=red", .badRequest),
            ("/v1/events/9", .notFound),
            ("/v1/events/nope", .badRequest),
        ]
        for (target, status) in queries {
            let response = try await fleet.request(.journald, .GET, target)
            #expect(response.status == status, "\(target) → \(response.status.code) \(response.text)")
            #expect((response.json?["error"] as? [String: Any])?["message"] is String, "\(target): error envelope")
        }
        let checkpoint = try #require(try await fleet.request(.journald, .GET, "/v1/checkpoint").json)
        #expect(checkpoint["size"] as? Int == 2, "nothing was written by bad input")
        #expect(try await fleet.request(.journald, .GET, "/v1/verify").json?["ok"] as? Bool == true)
        let proof = try #require(try await fleet.request(.journald, .GET, "/v1/proof/inclusion?seq=2&size=2").json)
        #expect(proof["root"] as? String == checkpoint["root"] as? String && (proof["proof"] as? [String])?.count == 1)
        _ = fleet.stop()
    }
}

/// What the writers were told, by event id.
final class Acknowledgements: @unchecked Sendable {
    struct Ack { let seq: Int; let hash: String }
    private let lock = NSLock()
    private var acks: [String: Ack] = [:]
    func add(id: String, seq: Int, hash: String) { lock.withLock { acks[id] = Ack(seq: seq, hash: hash) } }
    var count: Int { lock.withLock { acks.count } }
    var all: [String: Ack] { lock.withLock { acks } }
}

/// Runs a test-tooling script of Tests/Python with `python3` on a thread of its own (not one of
/// Swift's cooperative threads); a missing module fails the test.
func runPythonTool(_ script: String, arguments: [String]) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runPythonToolBlocking(script, arguments: arguments) }) }.start()
    }
}

func runPythonToolBlocking(_ script: String, arguments: [String]) throws -> String {
    let result = try PythonScript.run(script, arguments)
    guard result.status == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python3 \(script): \(result.output)\(result.errors)"]) }
    return result.output
}
