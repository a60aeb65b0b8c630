import LakehouseKit
import ValidatorService

await DaemonRuntime.run(.validatord) { context in try ValidatorService(context: context) }
