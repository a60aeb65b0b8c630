import LakehouseKit

/// embedd: embeddings and the embed cache (SPEC §6). The route table lives here; handlers and domain logic in their own files.
public struct EmbedService: DaemonService {
    let context: DaemonContext

    public init(context: DaemonContext) throws {
        self.context = context
    }

    public func register(_ router: inout Router) {}
}
