import LakehouseKit
import ReplayService
print(Daemon.replayd.defaultPort)
