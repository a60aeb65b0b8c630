import LakehouseKit
import VectorService
print(Daemon.vectord.defaultPort)
