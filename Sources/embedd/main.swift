import LakehouseKit
import EmbedService
print(Daemon.embedd.defaultPort)
