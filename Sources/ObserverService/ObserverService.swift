import LakehouseKit
public enum ObserverServicePlaceholder {}
