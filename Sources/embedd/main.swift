import LakehouseKit
import EmbedService

await DaemonRuntime.run(.embedd) { context in try EmbedService(context: context) }
