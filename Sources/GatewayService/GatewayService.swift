import LakehouseKit
public enum GatewayServicePlaceholder {}
