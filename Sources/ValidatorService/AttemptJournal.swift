import LakehouseKit

/// Where the iterate loop records each attempt and the end of a run. Must never block or fail the loop.
public protocol AttemptJournal: Sendable {
    func record(type: String, traceID: String, subject: String?, payload: JSONValue)
    /// Returns once every event recorded so far would survive a crash of this daemon.
    func sync() async
}

extension AttemptJournal {
    public func sync() async {}
}

/// journald, through the common journal client: spooled durably while journald is down and
/// delivered later, exactly once.
public struct JournaldAttemptJournal: AttemptJournal {
    let client: JournalClient

    public init(client: JournalClient) {
        self.client = client
    }

    public func record(type: String, traceID: String, subject: String?, payload: JSONValue) {
        client.record(JournalEvent(daemon: Daemon.validatord.rawValue, type: type, traceID: traceID, subject: subject, payload: payload.objectValue ?? ["value": payload]))
    }

    public func sync() async {
        await client.sync()
    }
}
