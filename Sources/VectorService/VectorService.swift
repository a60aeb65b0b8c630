import LakehouseKit
public enum VectorServicePlaceholder {}
