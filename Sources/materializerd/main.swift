import LakehouseKit
import MaterializerService

await DaemonRuntime.run(.materializerd) { context in try MaterializerService(context: context) }
