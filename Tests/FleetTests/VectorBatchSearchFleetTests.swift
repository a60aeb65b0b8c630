import Foundation
import Testing
import LakehouseKit

/// vectord's `POST /v1/indexes/search` as a real process: a batch answers exactly what the same
/// searches answer one by one, and bad batches get a 4xx envelope naming the failing search.
@Suite(.serialized) struct VectorBatchSearchFleetTests {
    private func vector(_ i: Int, dims: Int = 16) -> String {
        var state = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        return "[" + (0..<dims).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return String(Double(Int(state >> 40) % 2000 - 1000) / 1000)
        }.joined(separator: ",") + "]"
    }

    private func items(_ range: Range<Int>) -> String {
        let items = range.map { i in #"{"id":"w-\#(i)","vector":\#(vector(i)),"metadata":{"n":\#(i),"state":"\#(["OH", "MI", "IN"][i % 3])"}}"# }
        return #"{"items":[\#(items.joined(separator: ","))]}"#
    }

    private func ranking(_ results: Any?) -> [String] {
        ((results as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "?")@\($0["score"] ?? "?")|\(($0["metadata"] as? [String: Any])?["state"] ?? "-")" }
    }

    @Test func aBatchAnswersWhatEachSearchAnswersAlone() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/a", body: #"{"dims":16,"metric":"cosine"}"#).status == .created)
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/b", body: #"{"dims":16,"metric":"dot"}"#).status == .created)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/a/upsert", body: items(0..<600)).status == .ok)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/b/upsert", body: items(1000..<1050)).status == .ok)

        let shared = vector(7), own = vector(99)
        let searches: [(index: String, body: String, vector: String)] = [
            ("a", #""k":5,"filter":{"state":"OH"}"#, shared),
            ("b", #""k":3,"vector":\#(own)"#, own),
            ("a", #""k":7,"ef":32"#, shared),
            ("a", #""k":4,"filter":{"state":["MI","IN"],"n":[3,4,5,7,8,10,11]}"#, shared),
            ("b", #""k":50,"filter":{"state":"nowhere"}"#, shared),
        ]
        let batch = #"{"vector":\#(shared),"searches":[\#(searches.map { #"{"index":"\#($0.index)",\#($0.body)}"# }.joined(separator: ","))]}"#
        let answer = try await fleet.request(.vectord, .POST, "/v1/indexes/search", body: batch)
        #expect(answer.status == .ok, "\(answer.text.prefix(300))")
        let parts = answer.json?["searches"] as? [[String: Any]] ?? []
        // The search counters count searches, not requests.
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/a").json?["searches"] as? Int == 3)
        #expect(parts.count == searches.count)
        for (position, search) in searches.enumerated() where position < parts.count {
            let single = #"{"vector":\#(search.vector),\#(search.body.replacingOccurrences(of: #","vector":\#(own)"#, with: ""))}"#
            let alone = try await fleet.request(.vectord, .POST, "/v1/indexes/\(search.index)/search", body: single)
            #expect(alone.status == .ok, "\(alone.text.prefix(200))")
            #expect(parts[position]["index"] as? String == search.index)
            #expect(parts[position]["count"] as? Int == (search.index == "a" ? 600 : 50))
            #expect(ranking(parts[position]["results"]) == ranking(alone.json?["results"]), "search \(position)")
        }
        #expect(ranking(parts[0]["results"]).count == 5 && ranking(parts[0]["results"]).allSatisfy { $0.hasSuffix("|OH") })
        #expect(ranking(parts[1]["results"]).count == 3 && ranking(parts[4]["results"]).isEmpty)
        _ = fleet.stop()
    }

    @Test func badBatchesGet4xxNamingTheSearch() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/v", body: #"{"dims":3,"metric":"dot"}"#).status == .created)
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/wide", body: #"{"dims":4}"#).status == .created)
        let many = Array(repeating: #"{"index":"v"}"#, count: 33).joined(separator: ",")
        let cases: [(String, Int, String)] = [
            ("not json", 400, ""),
            (#"{"vector":[1,2,3],"searches":[{"index":"v"}]"#, 400, ""),
            ("[1,2,3]", 400, "object"),
            ("", 400, "empty"),
            (#"{"vector":[1,2,3]}"#, 400, "searches"),
            (#"{"vector":[1,2,3],"searches":[]}"#, 400, "searches"),
            (#"{"vector":[1,2,3],"searches":{"index":"v"}}"#, 400, "searches"),
            (#"{"vector":[1,2,3],"searches":["v"]}"#, 400, "searches[0]"),
            (#"{"vector":[1,2,3],"searches":[{"k":3}]}"#, 400, "searches[0]: missing field 'index'"),
            (#"{"vector":[1,2,3],"searches":[{"index":7}]}"#, 400, "searches[0].index"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v","k":"3"}]}"#, 400, "searches[0].k"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v","vector":"x"}]}"#, 400, "searches[0].vector"),
            (#"{"vector":[1,"2",3],"searches":[{"index":"v"}]}"#, 400, "vector[1]"),
            (#"{"searches":[{"index":"v","vector":[1,2,3]},{"index":"v"}]}"#, 400, "searches[1]: no 'vector'"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v","kk":3}]}"#, 400, "unknown field 'kk'"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v"}],"extra":1}"#, 400, "unknown field 'extra'"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v","k":0}]}"#, 400, "searches[0]"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v"},{"index":"v","k":1000000}]}"#, 400, "searches[1]"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v","filter":"state"}]}"#, 400, "searches[0]"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v"},{"index":"wide"}]}"#, 400, "searches[1] (index 'wide')"),
            (#"{"vector":[1,2,3],"searches":[{"index":"v"},{"index":"nope"}]}"#, 404, "searches[1] (index 'nope')"),
            (#"{"vector":[1,2,3],"searches":[{"index":"../x"}]}"#, 400, "searches[0]"),
            (#"{"vector":[1,2,3],"searches":[\#(many)]}"#, 400, "at most 32"),
            (#"{"vector":[\#(Array(repeating: "0.5", count: 40_000).joined(separator: ","))],"searches":[{"index":"v"}]}"#, 413, ""),
        ]
        for (body, status, mention) in cases {
            let response = try await fleet.request(.vectord, .POST, "/v1/indexes/search", body: body)
            #expect(response.status.code == status, "\(body.prefix(80)) → \(response.status.code) \(response.text.prefix(200))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String, "\(response.text.prefix(160))")
            if !mention.isEmpty {
                #expect((error?["message"] as? String)?.contains(mention) == true, "\(body.prefix(80)) → \(response.text.prefix(200))")
            }
        }
        // Nothing was lost or broken: the index still answers.
        let fine = try await fleet.request(.vectord, .POST, "/v1/indexes/search", body: #"{"vector":[1,2,3],"searches":[{"index":"v"}]}"#)
        #expect(fine.status == .ok && (fine.json?["searches"] as? [[String: Any]])?.first?["count"] as? Int == 0)
        #expect(fleet.process(.vectord).isRunning)
        _ = fleet.stop()
    }
}
