import LakehouseKit
public enum MatrixServicePlaceholder {}
