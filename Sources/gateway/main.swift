import LakehouseKit
import GatewayService
print(Daemon.gateway.defaultPort)
