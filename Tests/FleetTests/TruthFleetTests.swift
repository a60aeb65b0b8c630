import Foundation
import Glibc
import LakehouseKit
import Testing

/// truthd as a real process, and the journal client through it (truthd journals every accepted
/// claim batch as `truth.claims_ingested`).
@Suite(.serialized) struct TruthFleetTests {
    static func claim(_ worker: Int, source: String = "hr_system", value: String = "true", at: String = "2026-01-01T00:00:00Z",
                      attribute: String = "certification.forklift", confidence: Double? = nil) -> String {
        let c = confidence.map { #","confidence":\#($0)"# } ?? ""
        return #"{"subject":"worker:W-\#(String(format: "%06d", worker))","attribute":"\#(attribute)","value":\#(value),"source":"\#(source)","observed_at":"\#(at)"\#(c)}"#
    }

    static func claims(_ items: [String]) -> String { #"{"claims":[\#(items.joined(separator: ","))]}"# }

    @Test func claimsSurviveSIGKILL() async throws {
        let fleet = try Fleet(extraEnvironment: ["TRUTHD_JOURNAL": "off"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        #expect(await fleet.waitUntilReady(.truthd))
        let acknowledged = AcknowledgedBatches()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for batch in 0..<300 {
                            let start = (writer * 300 + batch) * 5
                            let body = Self.claims((start..<start + 5).map { Self.claim($0, value: "\($0)") })
                            guard let response = try? await fleet.request(.truthd, .POST, "/v1/claims", body: body, timeoutMs: 5_000),
                                  response.status == .ok, response.json?["accepted"] as? Int == 5 else { return }
                            acknowledged.add(start..<start + 5)
                        }
                    }
                }
            }
        }
        while acknowledged.count < 1_000 { try await Task.sleep(nanoseconds: 5_000_000) }
        fleet.process(.truthd).killHard()
        await writers.value
        let survivors = acknowledged.ids
        try fleet.restart(.truthd)
        #expect(await fleet.waitUntilReady(.truthd), "\(fleet.process(.truthd).log)")
        var missing: [Int] = []
        for chunk in stride(from: 0, to: survivors.count, by: 500) {
            let subjects = survivors[chunk..<min(survivors.count, chunk + 500)].map { "\"worker:W-\(String(format: "%06d", $0))\"" }
            let answer = try #require(try await fleet.request(.truthd, .POST, "/v1/facts", body: #"{"subjects":[\#(subjects.joined(separator: ","))]}"#).json)
            let facts = answer["facts"] as? [[String: Any]] ?? []
            var found: [String: Int] = [:]
            for f in facts {
                let fact = (f["attributes"] as? [String: Any])?["certification.forklift"] as? [String: Any]
                found[f["subject"] as! String] = fact?["value"] as? Int
            }
            for id in survivors[chunk..<min(survivors.count, chunk + 500)] where found["worker:W-\(String(format: "%06d", id))"] != id { missing.append(id) }
        }
        #expect(missing.isEmpty, "\(missing.count) acknowledged claims lost, e.g. \(missing.prefix(5))")
        _ = fleet.stop()
    }

    @Test func factsReconcileAndExplainOverHTTP() async throws {
        let fleet = try Fleet(extraEnvironment: ["TRUTHD_JOURNAL": "off"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        #expect(await fleet.waitUntilReady(.truthd))
        let body = Self.claims([
            Self.claim(1, source: "self_reported", value: "false", at: "2026-06-01T00:00:00Z"),
            Self.claim(1, source: "hr_system", value: "true", at: "2025-01-01T00:00:00Z"),
            Self.claim(1, source: "linkedin", value: "\"maybe\"", at: "2026-07-01T00:00:00Z", attribute: "city"),
            Self.claim(2, source: "client_feedback", value: "4.5", at: "2026-01-01T00:00:00Z", attribute: "rating", confidence: 0.5),
        ])
        #expect(try await fleet.request(.truthd, .POST, "/v1/claims", body: body).json?["accepted"] as? Int == 4)
        let facts = try #require(try await fleet.request(.truthd, .GET, "/v1/facts/worker:W-000001").json)
        let forklift = try #require((facts["attributes"] as? [String: Any])?["certification.forklift"] as? [String: Any])
        #expect(forklift["value"] as? Bool == true && forklift["source"] as? String == "hr_system")
        #expect(forklift["rule"] as? String == "priority" && forklift["conflict"] as? Bool == true)
        #expect((forklift["claims"] as? [[String: Any]])?.map { $0["source"] as! String } == ["hr_system", "self_reported"])
        let explained = try #require(try await fleet.request(.truthd, .POST, "/v1/reconcile",
                                                             body: #"{"subject":"worker:W-000001","attribute":"certification.forklift"}"#).json)
        let steps = try #require(explained["steps"] as? [[String: Any]])
        #expect(steps.first?["rule"] as? String == "priority")
        #expect(((steps.first?["eliminated"] as? [[String: Any]])?.first)?["source"] as? String == "self_reported")

        // The batch form a fill uses: several workers at once, unknown ones listed as missing.
        let batch = try #require(try await fleet.request(.truthd, .POST, "/v1/facts", body: #"{"subjects":["worker:W-000002","worker:W-999999","worker:W-000001"]}"#).json)
        #expect((batch["facts"] as? [[String: Any]])?.map { $0["subject"] as! String } == ["worker:W-000002", "worker:W-000001"])
        #expect(batch["missing"] as? [String] == ["worker:W-999999"])

        // The streamed import: JSON Lines, 2,500 claims in batches; a later claim retracts an earlier one.
        var lines = (10..<2_510).map { Self.claim($0) }
        lines.append(Self.claim(10, value: "false", at: "2026-02-01T00:00:00Z"))
        let imported = try await fleet.request(.truthd, .POST, "/v1/claims/import", body: lines.joined(separator: "\n") + "\n",
                                               headers: ["Content-Type": "application/x-ndjson"])
        #expect(imported.json?["accepted"] as? Int == 2_501, "\(imported.text)")
        let retracted = try #require(try await fleet.request(.truthd, .GET, "/v1/facts/worker:W-000010").json)
        let fact = (retracted["attributes"] as? [String: Any])?["certification.forklift"] as? [String: Any]
        #expect(fact?["value"] as? Bool == false && fact?["rule"] as? String == "recency" && fact?["conflict"] as? Bool == false)
        let streamedArray = try await fleet.request(.truthd, .POST, "/v1/claims/import", body: Self.claims([Self.claim(3), Self.claim(4)]))
        #expect(streamedArray.json?["accepted"] as? Int == 2)
        _ = fleet.stop()
    }

    @Test func badInputGets4xxAndWritesNothing() async throws {
        let fleet = try Fleet(extraEnvironment: ["TRUTHD_JOURNAL": "off", "TRUTHD_MAX_BATCH": "3", "TRUTHD_MAX_SUBJECTS": "2"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        #expect(await fleet.waitUntilReady(.truthd))
        #expect(try await fleet.request(.truthd, .POST, "/v1/claims", body: Self.claims([Self.claim(1)])).status == .ok)
        let cases: [(HTTPMethod, String, String, HTTPStatus)] = [
            (.POST, "/v1/claims", "", .badRequest),
            (.POST, "/v1/claims", "{", .badRequest),
            (.POST, "/v1/claims", #"{"claims":[]}"#, .badRequest),
            (.POST, "/v1/claims", #"{"claims":{}}"#, .badRequest),
            (.POST, "/v1/claims", #"{"clams":[]}"#, .badRequest),
            (.POST, "/v1/claims", #"{"claims":[{"subject":"s","attribute":"a","source":"x","observed_at":"2026-01-01T00:00:00Z"}]}"#, .badRequest),
            (.POST, "/v1/claims", #"{"claims":[{"subject":1,"attribute":"a","value":1,"source":"x","observed_at":"2026-01-01T00:00:00Z"}]}"#, .badRequest),
            (.POST, "/v1/claims", Self.claims([Self.claim(5, at: "last week")]), .badRequest),
            (.POST, "/v1/claims", Self.claims([Self.claim(5, confidence: 1.5)]), .badRequest),
            (.POST, "/v1/claims", #"{"claims":[{"subject":"s","attribute":"a","value":1,"source":"x","observed_at":"2026-01-01T00:00:00Z","extra":1}]}"#, .badRequest),
            (.POST, "/v1/claims", Self.claims([Self.claim(6), Self.claim(7), Self.claim(8), Self.claim(9)]), .payloadTooLarge),
            (.POST, "/v1/claims/import", Self.claim(10) + "\nnot json\n", .badRequest),
            (.POST, "/v1/claims/import", "", .badRequest),
            (.POST, "/v1/facts", #"{"subjects":[]}"#, .badRequest),
            (.POST, "/v1/facts", #"{"subjects":"worker:W-000001"}"#, .badRequest),
            (.POST, "/v1/facts", #"{"subjects":["a","b","c"]}"#, .payloadTooLarge),
            (.POST, "/v1/facts", "[", .badRequest),
            (.GET, "/v1/facts/worker:W-424242", "", .notFound),
            (.POST, "/v1/reconcile", #"{"subject":"worker:W-000001"}"#, .badRequest),
            (.POST, "/v1/reconcile", #"{"subject":"worker:W-000001","attribute":"nope"}"#, .notFound),
            (.POST, "/v1/reconcile", #"{"subject":"worker:W-424242","attribute":"a"}"#, .notFound),
        ]
        for (method, target, body, status) in cases {
            let headers: HTTPHeaders = target.hasSuffix("import") && body.contains("\n") ? ["Content-Type": "application/x-ndjson"] : [:]
            let response = try await fleet.request(.truthd, method, target, body: method == .GET ? nil : body, headers: headers)
            #expect(response.status == status, "\(target) \(body.prefix(100)) → \(response.status.code) \(response.text)")
            #expect((response.json?["error"] as? [String: Any])?["code"] is String, "\(target): error envelope")
        }
        // Nothing was written by the refused requests (an import stores whole batches of 1,000 only).
        let metrics = try await fleet.request(.truthd, .GET, "/metrics").text
        #expect(metrics.contains("truthd_claims 1\n"), "\(metrics.split(separator: "\n").filter { $0.hasPrefix("truthd") })")
        _ = fleet.stop()
    }

    /// The journal client end to end: journald down, truthd records 1,000 events (one per claim
    /// batch), is SIGKILLed and restarted, then journald starts: all 1,000 arrive once, in order.
    @Test func journalClientDeliversEverySpooledEventOnceInOrderAcrossRestarts() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_JOURNAL_RETRY_MAX_MS": "200", "LAKEHOUSE_JOURNAL_BATCH": "64"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        #expect(await fleet.waitUntilReady(.truthd))
        for i in 1...1_000 {
            let response = try await fleet.request(.truthd, .POST, "/v1/claims", body: Self.claims([Self.claim(i)]))
            #expect(response.status == .ok)
        }
        let metrics = try await fleet.request(.truthd, .GET, "/metrics").text
        #expect(metrics.contains("lakehouse_journal_recorded_events_total 1000"), "\(metrics.split(separator: "\n").filter { $0.contains("journal") })")
        #expect(metrics.contains("lakehouse_journal_pending_events 1000"))
        // The spool's committer writes within microseconds of a record; leave it a moment, then kill.
        try await Task.sleep(nanoseconds: 300_000_000)
        fleet.process(.truthd).killHard()
        try fleet.restart(.truthd)
        #expect(await fleet.waitUntilReady(.truthd), "\(fleet.process(.truthd).log)")
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))

        var size = 0
        let deadline = Date().addingTimeInterval(30)
        while size < 1_000 && Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            size = try await fleet.request(.journald, .GET, "/v1/checkpoint").json?["size"] as? Int ?? 0
        }
        #expect(size == 1_000, "journald holds \(size) events")
        var subjects: [String] = []
        var since = 0
        while true {
            let page = try #require(try await fleet.request(.journald, .GET, "/v1/events?type=truth.claims_ingested&since_seq=\(since)&limit=1000").json)
            let events = page["events"] as? [[String: Any]] ?? []
            subjects += events.map { $0["subject"] as? String ?? "?" }
            #expect(events.allSatisfy { $0["daemon"] as? String == "truthd" })
            guard let next = page["next_since_seq"] as? Int else { break }
            since = next
        }
        #expect(subjects == (1...1_000).map { "worker:W-\(String(format: "%06d", $0))" }, "all 1,000 once, in order (got \(subjects.count))")
        // Claims themselves survived the SIGKILL too.
        #expect(try await fleet.request(.truthd, .GET, "/v1/facts/worker:W-000777").status == .ok)
        let after = try await fleet.request(.truthd, .GET, "/metrics").text
        #expect(after.contains("lakehouse_journal_pending_events 0"))
        _ = fleet.stop()
    }
}
