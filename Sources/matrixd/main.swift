import LakehouseKit
import MatrixService
print(Daemon.matrixd.defaultPort)
