import LakehouseKit
import VectorService

await DaemonRuntime.run(.vectord) { context in try VectorService(context: context) }
