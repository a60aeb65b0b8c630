import Foundation
import Testing
import LakehouseKit

/// The gateway's own answers, before and after forwarding.
@Suite(.serialized) struct GatewayFleetTests {
    @Test func badInputAtTheGatewayGets4xxWithTheEnvelope() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.gateway, .embedd, .vectord])
        for daemon in [Daemon.gateway, .embedd, .vectord] { #expect(await fleet.waitUntilReady(daemon)) }
        let cases: [(HTTPMethod, String, String?, Int)] = [
            (.GET, "/v1/no-such-thing", nil, 404),                          // no owner in the prefix table
            (.GET, "/v1/embedx", nil, 404),                                  // a prefix, not a segment
            (.POST, "/v1/embed", "not json", 400),                           // forwarded; embedd's 400 relayed
            (.POST, "/v1/embed", #"{"texts":[1]}"#, 400),
            (.POST, "/v1/embed", "{\"texts\":[\"" + String(repeating: "x", count: 70_000) + "\"]}", 413),  // the gateway's own limit
            (.GET, "/v1/embed", nil, 405),                                   // embedd answers 405 with Allow
            (.POST, "/v1/indexes/nope/search", #"{"vector":[1]}"#, 404),     // vectord's 404 relayed
            (.PUT, "/v1/indexes/Bad", #"{"dims":3}"#, 400),
        ]
        for (method, path, body, status) in cases {
            let response = try await fleet.request(.gateway, method, path, body: body)
            #expect(response.status.code == status, "\(method) \(path) → \(response.status.code) \(response.text.prefix(160))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String && error?["message"] is String && error?["request_id"] is String, "\(response.text.prefix(160))")
        }
        _ = fleet.stop()
    }

    @Test func apiKeysGuardThePublicAPIButNotHealth() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_API_KEYS": "k1,k2"])
        defer { fleet.removeData() }
        try fleet.start([.gateway, .embedd])
        #expect(await fleet.waitUntilReady(.gateway))
        #expect(await fleet.waitUntilReady(.embedd))
        let denied = try await fleet.request(.gateway, .POST, "/v1/embed", body: #"{"texts":["a"]}"#)
        #expect(denied.status == .unauthorized)
        #expect(denied.headers["WWW-Authenticate"] == "Bearer")
        let wrong = try await fleet.request(.gateway, .POST, "/v1/embed", body: #"{"texts":["a"]}"#, headers: ["Authorization": "Bearer nope"])
        #expect(wrong.status == .unauthorized)
        let allowed = try await fleet.request(.gateway, .POST, "/v1/embed", body: #"{"texts":["a"]}"#, headers: ["Authorization": "Bearer k2"])
        #expect(allowed.status == .ok)
        #expect(try await fleet.request(.gateway, .GET, "/healthz").status == .ok)
        _ = fleet.stop()
    }
}
