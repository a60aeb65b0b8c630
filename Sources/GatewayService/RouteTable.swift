import LakehouseKit

/// Which daemon owns which public `/v1/*` path: the one place the gateway's routing is written down
/// (SPEC §4 ports table, §6 APIs). Longest prefix wins.
struct RouteTable: Sendable {
    struct Entry: Sendable {
        /// Path prefix; matches the path itself or the path followed by `/`.
        let prefix: String
        let daemon: Daemon
        /// A POST here only reads (embedding, searching), so the client may retry it on a fresh
        /// connection after a connection-level failure. Everything else is retried only if its
        /// method is idempotent.
        let readOnlyPost: Bool
        /// Its answers may be streams (server-sent events): a chunked response is relayed piece by
        /// piece as it arrives instead of after it is complete.
        var streamsResponse = false
    }

    static let standard = RouteTable(entries: [
        Entry(prefix: "/v1/embed", daemon: .embedd, readOnlyPost: true),
        Entry(prefix: "/v1/embeddings", daemon: .embedd, readOnlyPost: true),
        Entry(prefix: "/v1/cache", daemon: .embedd, readOnlyPost: false),
        Entry(prefix: "/v1/indexes", daemon: .vectord, readOnlyPost: false),
        Entry(prefix: "/v1/corpora", daemon: .matrixd, readOnlyPost: false),
        Entry(prefix: "/v1/retrieve", daemon: .matrixd, readOnlyPost: true),
        Entry(prefix: "/v1/playbooks", daemon: .matrixd, readOnlyPost: false),
        Entry(prefix: "/v1/memory", daemon: .matrixd, readOnlyPost: false),
        Entry(prefix: "/v1/extract-role", daemon: .matrixd, readOnlyPost: true),
        Entry(prefix: "/v1/understand", daemon: .matrixd, readOnlyPost: true),
        Entry(prefix: "/v1/chat", daemon: .chatd, readOnlyPost: false, streamsResponse: true),
        Entry(prefix: "/v1/providers", daemon: .chatd, readOnlyPost: false),
        Entry(prefix: "/v1/validate", daemon: .validatord, readOnlyPost: true),
        Entry(prefix: "/v1/iterate", daemon: .validatord, readOnlyPost: false),
        Entry(prefix: "/v1/materialize", daemon: .materializerd, readOnlyPost: false),
        Entry(prefix: "/v1/export", daemon: .materializerd, readOnlyPost: false),
        Entry(prefix: "/v1/replay", daemon: .replayd, readOnlyPost: false),
        Entry(prefix: "/v1/audit", daemon: .observerd, readOnlyPost: false),
        Entry(prefix: "/v1/fleet", daemon: .observerd, readOnlyPost: false),
        Entry(prefix: "/v1/events", daemon: .journald, readOnlyPost: false),
        Entry(prefix: "/v1/verify", daemon: .journald, readOnlyPost: false),
        Entry(prefix: "/v1/checkpoint", daemon: .journald, readOnlyPost: false),
        Entry(prefix: "/v1/proof", daemon: .journald, readOnlyPost: false),
        Entry(prefix: "/v1/claims", daemon: .truthd, readOnlyPost: false),
        Entry(prefix: "/v1/facts", daemon: .truthd, readOnlyPost: false),
        Entry(prefix: "/v1/reconcile", daemon: .truthd, readOnlyPost: true),
    ])

    let entries: [Entry]

    init(entries: [Entry]) {
        // Longest first, so `/v1/embeddings` is not taken by `/v1/embed`.
        self.entries = entries.sorted { $0.prefix.count > $1.prefix.count }
    }

    func entry(for path: String) -> Entry? {
        entries.first { entry in
            path.hasPrefix(entry.prefix) && (path.count == entry.prefix.count || path.dropFirst(entry.prefix.count).first == "/")
        }
    }
}
