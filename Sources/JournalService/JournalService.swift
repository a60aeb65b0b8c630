import LakehouseKit

/// journald: the hash-chained event journal (SPEC §6). The route table lives here; handlers and domain logic in their own files.
public struct JournalService: DaemonService {
    let context: DaemonContext

    public init(context: DaemonContext) throws {
        self.context = context
    }

    public func register(_ router: inout Router) {}
}
