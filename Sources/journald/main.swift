import LakehouseKit
import JournalService

await DaemonRuntime.run(.journald) { context in try JournalService(context: context) }
