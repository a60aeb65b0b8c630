import LakehouseKit
import ObserverService

await DaemonRuntime.run(.observerd) { context in try ObserverService(context: context) }
