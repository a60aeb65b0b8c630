import LakehouseKit

/// gateway: the public /v1 API, routing to every daemon (SPEC §6). The route table lives here; handlers and domain logic in their own files.
public struct GatewayService: DaemonService {
    let context: DaemonContext

    public init(context: DaemonContext) throws {
        self.context = context
    }

    public func register(_ router: inout Router) {}
}
