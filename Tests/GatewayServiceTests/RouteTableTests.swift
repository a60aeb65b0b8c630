import Testing
@testable import GatewayService
import LakehouseKit

@Test func longestPrefixWinsSoEmbeddingsIsNotTakenByEmbed() {
    let table = RouteTable.standard
    #expect(table.entry(for: "/v1/embeddings")?.daemon == .embedd)
    #expect(table.entry(for: "/v1/embed")?.daemon == .embedd)
    #expect(table.entry(for: "/v1/chat/completions")?.daemon == .chatd)
    #expect(table.entry(for: "/v1/indexes/workers/search")?.daemon == .vectord)
    #expect(table.entry(for: "/v1/facts/worker:W-1")?.daemon == .truthd)
}

@Test func prefixMatchesOnlyWholeSegments() {
    let table = RouteTable.standard
    // "/v1/embedx" must not be routed to embedd just because it starts with "/v1/embed".
    #expect(table.entry(for: "/v1/embedx") == nil)
    #expect(table.entry(for: "/v1/indexesfoo") == nil)
    #expect(table.entry(for: "/v1/unknown") == nil)
}

@Test func everyDaemonButTheGatewayOwnsSomePrefix() {
    let owners = Set(RouteTable.standard.entries.map(\.daemon))
    #expect(owners == Set(Daemon.allCases).subtracting([.gateway]))
}

@Test func onlyReadingPostsAreMarkedRetrySafe() {
    let table = RouteTable.standard
    #expect(table.entry(for: "/v1/embed")?.readOnlyPost == true)
    #expect(table.entry(for: "/v1/indexes/x/upsert")?.readOnlyPost == false)
    #expect(table.entry(for: "/v1/events")?.readOnlyPost == false)
}

@Test func peerFailuresMapTo503And504And502() {
    #expect(Forwarder.map(.peerUnavailable(peer: "p", reason: "refused"), daemon: .embedd).status == .serviceUnavailable)
    #expect(Forwarder.map(.connectionClosed(peer: "p"), daemon: .embedd).status == .serviceUnavailable)
    #expect(Forwarder.map(.timeout(peer: "p", milliseconds: 5), daemon: .vectord).status == .gatewayTimeout)
    #expect(Forwarder.map(.invalidResponse(peer: "p", reason: "x"), daemon: .chatd).status == .badGateway)
    #expect(Forwarder.map(.peerUnavailable(peer: "p", reason: "refused"), daemon: .embedd).message.contains("embedd"))
}
