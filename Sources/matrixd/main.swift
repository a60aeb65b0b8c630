import LakehouseKit
import MatrixService

await DaemonRuntime.run(.matrixd) { context in try MatrixService(context: context) }
