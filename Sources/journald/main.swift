import LakehouseKit
import JournalService
print(Daemon.journald.defaultPort)
