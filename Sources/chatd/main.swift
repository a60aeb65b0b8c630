import LakehouseKit
import ChatService
print(Daemon.chatd.defaultPort)
