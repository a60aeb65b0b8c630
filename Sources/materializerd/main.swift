import LakehouseKit
import MaterializerService
print(Daemon.materializerd.defaultPort)
