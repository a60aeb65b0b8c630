import LakehouseKit
import ChatService

await DaemonRuntime.run(.chatd) { context in try ChatService(context: context) }
