import LakehouseKit
import TruthService
print(Daemon.truthd.defaultPort)
