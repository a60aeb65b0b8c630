import LakehouseKit
import ReplayService

await DaemonRuntime.run(.replayd) { context in try ReplayService(context: context) }
