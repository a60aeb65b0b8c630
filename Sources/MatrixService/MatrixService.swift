import LakehouseKit

/// matrixd: corpora, retrieval, role gate, playbooks, memory (SPEC §6). The route table lives here; handlers and domain logic in their own files.
public struct MatrixService: DaemonService {
    let context: DaemonContext

    public init(context: DaemonContext) throws {
        self.context = context
    }

    public func register(_ router: inout Router) {}
}
