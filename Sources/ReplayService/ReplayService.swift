import LakehouseKit
public enum ReplayServicePlaceholder {}
