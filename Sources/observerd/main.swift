import LakehouseKit
import ObserverService
print(Daemon.observerd.defaultPort)
