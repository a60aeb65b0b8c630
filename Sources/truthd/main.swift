import LakehouseKit
import TruthService

await DaemonRuntime.run(.truthd) { context in try TruthService(context: context) }
