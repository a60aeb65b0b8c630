import LakehouseKit
print("lakehouse: operator CLI")
