import LakehouseKit
public enum TruthServicePlaceholder {}
