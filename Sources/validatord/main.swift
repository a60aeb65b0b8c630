import LakehouseKit
import ValidatorService
print(Daemon.validatord.defaultPort)
