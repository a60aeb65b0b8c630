import LakehouseKit
import GatewayService

await DaemonRuntime.run(.gateway) { context in try GatewayService(context: context) }
