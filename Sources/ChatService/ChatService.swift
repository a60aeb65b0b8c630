import LakehouseKit
public enum ChatServicePlaceholder {}
